"""Report parameter forms (period, class, date): none yet."""
