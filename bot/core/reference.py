"""Conference references: the handle every email, letter and page uses for a conference."""

from __future__ import annotations

import re

# e.g. CP-2026-00042. Emails that quote one are attached to that conference.
REFERENCE_PATTERN = re.compile(r"\bCP-(\d{4})-(\d{5})\b")


def format_reference(year: int, number: int) -> str:
    """Build the reference for the ``number``-th conference of ``year``."""
    return f"CP-{year:04d}-{number:05d}"


def find_references(text: str) -> list[str]:
    """Every conference reference quoted in ``text``, in order, without repeats."""
    seen: dict[str, None] = {}
    for match in REFERENCE_PATTERN.finditer(text):
        seen.setdefault(match.group(0), None)
    return list(seen)
