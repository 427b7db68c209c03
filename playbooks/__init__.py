"""Playbooks: one YAML file per council process, shipped as package data."""
