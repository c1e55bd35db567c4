"""Access-matrix entries; merged by ejournal/tests/test_access_matrix.py."""

MATRIX_ENTRIES: dict = {}
