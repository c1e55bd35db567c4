"""Forms of the journal, a module per area (setup, timetable, grid, journal, closing, unlock, people)."""
