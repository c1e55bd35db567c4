"""Archive forms: none yet."""
