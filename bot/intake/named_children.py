"""Children a sentence names in full, with their date of birth beside the name.

Social workers write "an ICPC for Rosa Mensah (04/04/2019, LCS 551902)", "baby Mia W (born
14th October 2026)", "Ava-Rose Hart, d.o.b 19/12/2020" or "Kayden (DOB 03/05/2015) and
Lacey (DOB 22/09/2018) Doherty". A name is a child's only with a date of birth right after
it (in brackets, or after a comma and "DOB" or "born"), and never after a word that makes
it an adult ("Dad is Reece Armitage (DOB ...)"). Only the initials go on: each child comes
back as "R.M. (04/04/2019, LCS 551902)", which the child reader takes as it takes any line.
"""

from __future__ import annotations

import re

from bot.intake.child_line import dotted, read_child

_WORD = r"(?:O['’]|Mc|Mac)?[A-Z][a-z'’]+(?:-[A-Z][a-z'’]+)?"  # O'Neill, McKenna, Ava-Rose
# A first name, perhaps a middle name or surname, perhaps a surname's initial ("Mia W").
_NAMED = re.compile(
    rf"(?P<name>{_WORD}(?:\s+{_WORD}){{0,2}}(?:\s+[A-Z]\.?(?![\w'’]))?)"
    # "Leo is 9 (DOB 29/04/2017)": the child's age between the name and the date.
    r"(?:,?\s+(?:who\s+)?is\s+(?:aged\s+)?\d{1,2}(?:\s+years?(?:\s+old)?)?)?"
    r"(?:\s*\((?P<inside>[^()]{4,90})\)"
    r"|(?:,\s*|\s+)(?P<after>(?:d\.?\s?o\.?\s?b\.?|date of birth|born)\b[^;()]{4,70}?)"
    r"(?=[.;]\s|[.;]?$|,\s*(?:she|he|they|and|who)\b)"
    # "child: Freya Lomas 09/03/2014 (LCS 620771)": after a child's label, the date bare.
    r"|\s+(?P<bare>\d{1,2}[./]\d{1,2}[./]\d{2,4}(?:\s*\([^()]{0,40}\))?))"
)
_CHILD_LABEL = re.compile(r"\b(?:child(?:ren)?|young person|baby|name)\s*[:\-–]\s*$", re.I)
# Words before a name that make it someone other than the child.
_ADULT_BEFORE = re.compile(
    r"\b(mum|mother|mam|dad|father|parents?|carers?|partner|step\w*|nan|nana|gran\w*|aunt\w*|"
    r"uncle|cousin|husband|wife|boyfriend|girlfriend|social worker|sw|worker|officer|dr|"
    r"mrs?|ms|miss|mr|pc|dc|ds|nurse|midwife|teacher|dsl|manager|head|contact)\W*(?:is|was|:|-|–)?\s*$",
    re.IGNORECASE,
)
# Capitalised words that are no part of a child's name.
_NOT_NAME = frozenset(
    {
        "baby",
        "unborn",
        "child",
        "children",
        "young",
        "person",
        "the",
        "a",
        "an",
        "our",
        "my",
        "his",
        "her",
        "their",
        "dob",
        "edd",
        "lcs",
        "mosaic",
        "case",
        "ref",
        "id",
        "icpc",
        "rcpc",
        "conference",
        "initial",
        "review",
        "transfer",
        "request",
        "please",
        "hi",
        "hello",
        "january",
        "february",
        "march",
        "april",
        "may",
        "june",
        "july",
        "august",
        "september",
        "october",
        "november",
        "december",
        "monday",
        "tuesday",
        "wednesday",
        "thursday",
        "friday",
        "saturday",
        "sunday",
        "strat",
        "strategy",
        "section",
        "both",
        "mum",
        "mam",
        "dad",
        "mother",
        "father",
        "parents",
        "she",
        "he",
        "they",
        "school",
        "nursery",
        "health",
        "police",
        "gp",
    }
)
# After the last bracket, the surname the children share: "... (DOB 22/09/2018) Doherty".
_SHARED_SURNAME = re.compile(rf"^\s*({_WORD})\b(?!\s*\()")


# "the three Mahmood children: Zara (born ...), Ibrahim (born ...)": their surname, before.
_FAMILY_NAME = re.compile(
    rf"\bthe\s+(?:\w+\s+)?({_WORD})\s+(?:children|siblings|family|boys|girls|twins|brothers|sisters)\b"
)


def _surname_of(first: str, sentence: str, context: str) -> str:
    """The surname of a child named by first name only, from this sentence or the others."""
    shared = _FAMILY_NAME.search(sentence)
    if shared and shared.group(1).casefold() not in _NOT_NAME:
        return shared.group(1)
    # "Leo Bright's review is due ... Leo is 9 (DOB ...)": said in full elsewhere.
    full = {
        m.group(1)
        for m in re.finditer(rf"\b{re.escape(first)}\s+({_WORD})\b", context)
        if m.group(1).casefold() not in _NOT_NAME
    }
    return full.pop().removesuffix("'s").removesuffix("’s") if len(full) == 1 else ""


# "twins Archie and Alfie Bailey, both born 17/05/2023": first names, one surname, one date.
_BOTH_BORN = re.compile(
    rf"(?P<firsts>{_WORD}(?:\s*,\s*{_WORD})*\s+(?:and|&)\s+{_WORD})\s+(?P<surname>{_WORD}),?\s+"
    r"(?:both|all)\s+(?P<born>(?:born|d\.?\s?o\.?\s?b\.?)\s*(?:on\s+)?[^,;()]{6,30}?)(?=[,;.]|$)"
)


def _born_together(sentence: str) -> list[str]:
    m = _BOTH_BORN.search(sentence)
    if m is None or _ADULT_BEFORE.search(sentence[max(0, m.start() - 30) : m.start()]):
        return []
    bits = read_child(m.group("born"), from_names=False)
    if bits.date_of_birth is None or m.group("surname").casefold() in _NOT_NAME:
        return []
    firsts = re.split(r"\s*,\s*|\s+(?:and|&)\s+", m.group("firsts"))
    if any(f.casefold() in _NOT_NAME for f in firsts):
        return []
    out = []
    for first in firsts:
        # "LCS 651001 (Archie) and 651002 (Alfie)": each one's number, named in brackets.
        own = re.search(rf"(\d{{5,10}})\s*\({re.escape(first)}\)", sentence)
        system = next(
            (w for w in ("LCS", "Mosaic") if re.search(rf"\b{w}\b", sentence, re.I)), "ref"
        )
        ref = f", {system} {own.group(1)}" if own else ""
        initials = dotted(first[0] + m.group("surname")[0])
        out.append(f"{initials} (DOB {bits.date_of_birth:%d/%m/%Y}{ref})")
    return out


def _own_number(first: str, facts: str, context: str) -> str:
    """ "LCS: Finley 690201, Rosie 690202": a child's number given after their first name
    elsewhere, when the facts beside the name give none."""
    if read_child(facts, from_names=False).references:
        return ""
    own = re.search(rf"\b{re.escape(first)}\s*[:\-–]?\s*((?:MOS)?\d{{5,10}})\b", context)
    if own is None:
        return ""
    before = context[max(0, own.start() - 60) : own.start()]
    system = next((w for w in ("LCS", "Mosaic") if re.search(rf"\b{w}\b", before, re.I)), "ref")
    return f", {system} {own.group(1)}"


def named_children(sentence: str, context: str = "") -> list[str]:
    """Each child the sentence names with a date of birth, as initials and what follows;
    ``context`` (the rest of the email) may give the surname of a child named by first name."""
    together = _born_together(sentence)
    if together:
        return together
    found: list[tuple[str, str, int]] = []  # (name words, facts, end of the match)
    for m in _NAMED.finditer(sentence):
        if m.group("name").endswith(("'s", "’s")):
            continue  # "E's date of birth is ...": whose, a correction, not a new child
        words = [w for w in m.group("name").split() if w.casefold() not in _NOT_NAME]
        facts = m.group("inside") or m.group("after") or m.group("bare") or ""
        before = sentence[max(0, m.start() - 30) : m.start()]
        if m.group("bare") and not _CHILD_LABEL.search(before):
            continue
        if not words or _ADULT_BEFORE.search(before) or re.search(r"@|\d{5} ?\d{6}", facts):
            continue
        bits = read_child(facts, from_names=False)
        if bits.date_of_birth is None or bits.unborn or bits.problem:
            continue
        found.append((" ".join(words), facts, m.end()))
    if not found:
        return []
    shared = _SHARED_SURNAME.match(sentence[found[-1][2] :])
    surname = shared.group(1) if shared and shared.group(1).casefold() not in _NOT_NAME else ""
    children = []
    for name, facts, _end in found:
        parts = name.split()
        if len(parts) == 1:
            parts.append(surname or _surname_of(parts[0], sentence, context))
            parts = [p for p in parts if p]
        initials = dotted("".join(p[0] for p in parts[:1] + parts[1:][-1:]))
        children.append(f"{initials} ({facts.strip()}{_own_number(parts[0], facts, context)})")
    return children
