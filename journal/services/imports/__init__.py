"""Imports of lists an admin uploads (pupils with their parents, staff; CSV or XLSX), by concept:

- ``table``: the columns, reading a file into rows of text, the sample file to fill in;
- ``values``: what a cell may hold (names, dates, phones, e-mails, class names, roles, logins);
- ``checks``: every row checked against the school and planned (nothing written);
- ``apply``: the two services, uploading a file for the preview and applying it in one transaction.
"""

from .apply import import_apply, import_upload

__all__ = ["import_apply", "import_upload"]
