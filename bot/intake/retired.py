"""Numbers and addresses a request says are out of use: "the 07700 900614 one no longer
works, so please don't use it". Such a number is given to no one, wherever else it is
written (the form below the note still has it), and the admin team are told why.
"""

from __future__ import annotations

import re

from bot.intake.inline import find_emails, find_phone_numbers

_OUT_OF_USE = re.compile(
    r"\b(no longer (works?|in use|used|valid|current|working)|(don'?t|do not|please don'?t) use|"
    r"old (number|mobile|phone|email|address)|out of date|not in use|disconnected|"
    r"isn'?t (working|in use)|not working|has changed from|was changed from)\b",
    re.IGNORECASE,
)
# Where one fact ends within a sentence: "Her new number is X - the Y one no longer works".
_CLAUSE = re.compile(r"\s[-–—]\s|;|,\s|\.\s|\(|\)")


def out_of_use(sentences: list[str]) -> tuple[str, ...]:
    """Each number (E.164) or address a clause says is no longer to be used."""
    found: list[str] = []
    for sentence in sentences:
        if len(sentence) > 1000 or not _OUT_OF_USE.search(sentence):
            continue
        for clause in _CLAUSE.split(sentence):
            if not _OUT_OF_USE.search(clause):
                continue
            emails, _, rest = find_emails(clause)
            phones, _ = find_phone_numbers(rest)
            found.extend((*phones, *(e.lower() for e in emails)))
    return tuple(dict.fromkeys(found))
