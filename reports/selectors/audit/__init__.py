"""The deputy's audit of how the journal is kept (issue 12): checks that read the journal and never change it.

``base`` holds the shared vocabulary (``AuditContext``, ``Finding``, ``Check``, ``run_audit``); each module of checks
registers its checks with ``base.register``; ``checks`` imports them all so that ``run_audit`` sees every one.
"""
