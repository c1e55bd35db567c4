"""Imports of lists an admin uploads (pupils with their parents, staff; CSV or XLSX), by concept:

- ``reading``: reading an uploaded CSV or XLSX as a stream of rows within caps (also the КТП's file);
- ``table``: the columns, a file's rows keyed by column, the sample file to fill in;
- ``values``: what a cell may hold (names, dates, phones, e-mails, class names, roles, logins);
- ``checks``: every row checked against the school and planned (nothing written);
- ``apply``: uploading a file for the preview; applying it by a Celery job, in one transaction.
"""

from .apply import import_apply, import_apply_request, import_upload

__all__ = ["import_apply", "import_apply_request", "import_upload"]
