"""The archive's documents as files: the printed class journal (PDF), the year's archive documents."""
