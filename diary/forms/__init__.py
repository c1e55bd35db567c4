"""Forms of the diary's pages, a module per concept: events, messages, notifications, paper diaries."""
