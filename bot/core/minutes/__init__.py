"""Minutes: see the modules of this package."""
