"""Access-matrix entries for the people URLs; merged by ejournal/tests/test_access_matrix.py.

Same format as MATRIX there: name -> (args from the cast or None, {role: expected}).
"""

MATRIX_ENTRIES: dict = {}
