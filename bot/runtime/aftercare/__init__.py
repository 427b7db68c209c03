"""Aftercare: see the modules of this package."""
