"""Every table confbot owns, in one metadata: what migrations must match."""

from __future__ import annotations

from bot.store import access_models, teams_models  # noqa: F401  (register their tables on Base)
from bot.store.models import Base

metadata = Base.metadata
