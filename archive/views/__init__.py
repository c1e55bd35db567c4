"""Archive pages (/archive/…): none yet."""
