"""Writes of the reports app (report jobs, audit notes and their acknowledgements): none yet."""
