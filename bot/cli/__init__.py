"""Cli: see the modules of this package."""
