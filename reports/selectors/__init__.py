"""Reads for reports and audits, built on the journal's selectors and visibility querysets."""
