"""The reports' own records (saved report runs, audit notes acknowledged by teachers): none yet."""
