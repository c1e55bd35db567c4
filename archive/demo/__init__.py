"""The archive's part of the demo school, added by the project's seed_demo after the reports': none yet."""
