"""The reports' part of the demo school, added by the project's seed_demo after the diary's: none yet."""
