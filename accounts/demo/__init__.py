"""Demo data of identity: the names the demo school's people are given (``journal.demo`` builds the people)."""
