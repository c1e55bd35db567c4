"""Journal views, one module per area."""
