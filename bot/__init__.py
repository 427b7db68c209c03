"""confbot: runs child protection conferences over Microsoft Teams from a council's playbook."""

from __future__ import annotations

__version__ = "0.1.0"
