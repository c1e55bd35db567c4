"""Who may read and run the archive: built on accounts.access and journal.access."""
