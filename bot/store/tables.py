"""Every table confbot owns, in one metadata: what migrations must match."""

from __future__ import annotations

from bot.store import (  # noqa: F401  (register their tables on Base)
    access_models,
    audit_models,
    teams_models,
)
from bot.store.models import Base

metadata = Base.metadata
