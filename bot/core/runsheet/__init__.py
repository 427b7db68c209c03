"""Runsheet: see the modules of this package."""
