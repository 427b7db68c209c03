"""Playbook: see the modules of this package."""
