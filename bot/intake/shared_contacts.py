"""One line of numbers or addresses for several people: whose is whose.

"Contact numbers: Mum 07700 900611, Dad 07700 900612" says it by role word; "Names of
parents: Kelly Dawes and Gary Dawes / Contact numbers: 07700 900611 / 07700 900612" says
it by order, one for each name in the line before. Anything less plain is left with the
person it was said of, as before: a number is never handed out on a guess.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from functools import lru_cache

from bot.intake.inline import find_emails, find_phone_numbers
from bot.intake.labels import family_relationship, family_words

_ITEM_SEPARATOR = re.compile(r"\s*(?:/|;|,|\band\b|&)\s*")


@lru_cache(maxsize=1)
def _role_start() -> re.Pattern[str]:
    words = sorted({w for w, _, _ in family_words()}, key=len, reverse=True)
    alternatives = "|".join(r"[\s\-]?".join(map(re.escape, w.split())) for w in words)
    return re.compile(rf"(?i:\b({alternatives})\b)(?:['’]s)?\s*(?:[:\-–]\s*)?")


def by_role(text: str, relationships: Mapping[int, str]) -> list[tuple[int, str]] | None:
    """Each part of ``text`` that starts with a family word, given to the one person of
    that relationship; None unless every part goes to someone."""
    starts = list(_role_start().finditer(text))
    if len(starts) < 2 or text[: starts[0].start()].strip(" ,;:/"):
        return None
    out: list[tuple[int, str]] = []
    for m, end in zip(starts, [*(s.start() for s in starts[1:]), len(text)], strict=True):
        relationship = family_relationship(m.group(1))
        owners = [i for i, r in relationships.items() if relationship and r == relationship]
        piece = text[m.end() : end].strip(" ,;/")
        if len(owners) != 1 or not _contacts(piece):
            return None
        out.append((owners[0], piece))
    return out


def by_order(text: str, listed: Sequence[int]) -> list[tuple[int, str]] | None:
    """One number or address for each person named together in one line, in that order."""
    if len(listed) < 2:
        return None
    items = [i for i in _ITEM_SEPARATOR.split(text) if i.strip()]
    if len(items) != len(listed) or not all(_contacts(i) == 1 for i in items):
        return None
    return list(zip(listed, items, strict=True))


def _contacts(text: str) -> int:
    emails, _, rest = find_emails(text)
    phones, _ = find_phone_numbers(rest)
    return len(emails) + len(phones)
