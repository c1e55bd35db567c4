"""Every module of audit checks, imported so that their ``register`` calls run (``base.run_audit`` imports this)."""

from . import accumulation, control, lateness, period_marks, plan, records  # noqa: F401
