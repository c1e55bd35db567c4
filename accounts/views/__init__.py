"""Identity pages: login, logout, password, profile, first login with a code."""
