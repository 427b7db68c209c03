"""A child written on one line: "T.R. (DOB 02/03/2018), case ref 123456, female, CP plan".

Only initials are kept: a full name ("Tyler Reeves") is read down to "T.R." at once.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date
from functools import lru_cache

from bot.intake.fields import FieldError, all_dates

_INITIALS = re.compile(r"(?<![A-Za-z])([A-Z])\s?\.\s?([A-Z])(?:\s?\.\s?([A-Z]))?\.?(?![A-Za-z])")
_DOTTED_WORDS = re.compile(r"\b(?:D\s?\.\s?O\s?\.\s?B|E\s?\.\s?D\s?\.\s?D)\b\.?", re.I)
# "Child: T R": initials spaced apart, at the start of the value only.
_SPACED_INITIALS = re.compile(r"^\s*([A-Z])\s([A-Z])(?:\s([A-Z]))?(?![A-Za-z])")
_BARE_INITIALS = re.compile(r"(?<![A-Za-z'’\d])([A-Z]{2,3})(?![A-Za-z'’\d])")
_FULL_NAME = re.compile(r"\b([A-Z][a-z'’\-]+)(?:\s+([A-Z][a-z'’\-]+))?\s+([A-Z][a-z'’\-]+)\b")
_NOT_NAME = re.compile(
    r"\b(Baby|Unborn|Child|Children|Case|Male|Female|Date|Birth|Born|Mosaic|Reference|Primary|"
    r"School|Plan|Order|Protection|Section|Looked|January|February|March|April|May|June|July|"
    r"August|September|October|November|December|Monday|Tuesday|Wednesday|Thursday|Friday)\b"
)
# "due" alone is not enough: "Review due 10/12/2026" is about the conference.
_UNBORN = re.compile(
    r"\b(unborn|pre[\s\-]?birth|not yet born|e\.?d\.?d\.?|due date|baby (?:is )?due|"
    r"due to be born|expected date of (?:birth|delivery))\b",
    re.IGNORECASE,
)
_BIRTH_WORD = re.compile(r"\b(d\.?\s?o\.?\s?b\.?|date of birth|born|birthday)\b", re.IGNORECASE)
_OTHER_EVENT = re.compile(
    r"\b(strat\w*|conference|conf|meeting|discussion|icpc|rcpc|review|held|since|referr\w*)\b",
    re.IGNORECASE,
)
_DUE_WORD = re.compile(r"\b(e\.?d\.?d\.?|due|expected)\b", re.IGNORECASE)
_REFERENCES = (
    ("Mosaic", re.compile(r"\b(MOS[\-\s]?\d{4,10})\b", re.IGNORECASE)),
    (
        "Mosaic",
        re.compile(
            r"\bmosaic(?:\s+(?:id|no|number|ref))?\.?\s*[:#]?\s*([A-Z]{0,4}\d{4,10})\b", re.I
        ),
    ),
    (
        "LCS",
        re.compile(r"\blcs(?:\s+(?:id|no|number|ref))?\.?\s*[:#]?\s*([A-Z]{0,4}\d{4,10})\b", re.I),
    ),
    (
        "",
        re.compile(
            r"\b(?:case|person|child|client|ref|reference|id)(?:\s+(?:ref|reference|id|no|number))?"
            r"\.?\s*[:#]?\s*([A-Z]{0,4}(?:[\-/][A-Z]{1,4})*[\-/]?\d{3,10}(?:[\-/][A-Z0-9]{1,6})*)\b",
            re.IGNORECASE,
        ),
    ),
    # Another council's own shape, said without a label: "KB/CP/8812", "AS-90113", "M-88120".
    (
        "",
        re.compile(
            r"(?<![\w/\-])([A-Z]{1,4}(?:[\-/][A-Z]{1,4})*[\-/]\d{3,10}(?:/[A-Z0-9]{1,6})?)\b"
            r"(?!-\d)"  # not the start of a conference reference: CP-2026-00029
        ),
    ),
    # A six-digit case-system number on a child's line: not part of a date or phone number.
    # A spaced dash is a separator ("11.03.2017 - 566710"), but "0 900611" is a phone's tail.
    ("", re.compile(r"(?<![\d/.+\s]\s)(?<![\d/.\-+])\b(\d{6})\b(?![/.\-]\d)")),
)
_GENDER = (
    # "(F)", "(M)": a list's shorthand, capitals in brackets only.
    ("female", re.compile(r"\b(?i:female|girl)\b|\(F\)")),
    ("male", re.compile(r"\b(?i:male|boy)\b|\(M\)")),
    ("non-binary", re.compile(r"\bnon[\s\-]?binary\b", re.IGNORECASE)),
)
# A list's field that is one letter: "A.F., born 14 May 2009, LCS 561002, m" or
# "Child 1 | K.B. | 14/05/2019 | LCS 744101 | F".
_GENDER_FIELD = re.compile(r"(?:^|[,|;]|\s[-\u2013]\s)\s*([MFmf])\s*(?=$|[,|;]|\s[-\u2013]\s)")
_LEGAL = (
    (
        "child protection plan",
        r"\b(cp plans?|child protection plans?|subject to (?:a )?cpp?|cpp|"
        r"on (?:a |their |the |cp )?plans?|plan category|category of (?:the )?plan)\b",
    ),
    ("child in need", r"\b(cin|child in need)\b"),
    ("section 20", r"\b(s\.?\s?20|section 20)\b"),
    ("interim care order", r"\b(ico|interim care order)\b"),
    ("care order", r"(?<!interim )\bcare order\b"),
    ("supervision order", r"\bsupervision order\b"),
    ("special guardianship order", r"\b(sgo|special guardianship order)\b"),
    ("looked after", r"\b(looked after|lac|cla)\b"),
    ("placement order", r"\bplacement order\b"),
)


@dataclass(frozen=True, slots=True)
class ChildBits:
    """What one line says about a child."""

    initials: str = ""
    date_of_birth: date | None = None
    unborn: bool = False
    due_date: date | None = None
    references: tuple[tuple[str, str], ...] = ()  # (system, reference)
    gender: str = ""
    legal_status: str = ""
    problem: str = ""


def dotted(letters: str) -> str:
    """Initials as MTS write them: "TR" is "T.R."."""
    return "".join(f"{ch}." for ch in letters.upper() if ch.isalpha())


# "Aisha H. - 12/05/2012 - MOS 551120": a first name and the surname's initial.
_FIRST_NAME_AND_INITIAL = re.compile(
    r"^\W*(?!(?i:baby|unborn|child|mum|dad|mother|father|sibling|brother|sister|twin)\b)"
    r"([A-Z])[a-z'’\-]+\s+([A-Z])\.(?![A-Za-z])"
)


def read_initials(text: str, *, from_names: bool = True) -> str:
    """The child's initials, from initials or (``from_names``) a full name; else ""."""
    text = _DOTTED_WORDS.sub(" ", text)  # "T.R. D.O.B 2.3.2018": D.O.B is no initial
    match = _INITIALS.search(text) or _SPACED_INITIALS.match(text)
    if match:
        return dotted("".join(g for g in match.groups() if g))
    first = _FIRST_NAME_AND_INITIAL.match(text)
    if first:
        return dotted(first.group(1) + first.group(2))  # "Aisha H. - 12/05/2012": A.H.
    stripped = re.sub(
        r"\b(DOB|EDD|LCS|MOS|CIN|ICO|SGO|CP|CPP|LAC|CLA|NHS|ICPC|RCPC|TI|ID|REF|NFA|SW|TM)\b",
        " ",
        text,
    )
    name = _FULL_NAME.search(stripped)
    # "Unborn baby of Chloe Pell", "Chloe Pell's unborn baby" name the mother, not the child.
    parent_named = re.search(r"\b(of|to|mum|mother|father|dad|parents?)\b", text, re.I) or (
        name is not None and name.group(0).endswith(("'s", "’s"))
    )
    if from_names and name and not _NOT_NAME.search(name.group(0)) and not parent_named:
        return dotted("".join(part[0] for part in name.groups() if part))
    bare = _BARE_INITIALS.search(stripped)
    return dotted(bare.group(1)) if bare else ""


def read_references(text: str) -> tuple[tuple[str, str], ...]:
    """Every case reference on the line, with the system it names (or "")."""
    found: dict[str, str] = {}
    taken: list[tuple[int, int]] = []
    for system, pattern in _REFERENCES:
        for match in pattern.finditer(text):
            start, end = match.span(1)
            if any(a <= start and end <= b for a, b in taken):
                continue  # "MOS 774201": its digits are not a second reference
            taken.append((start, end))
            reference = match.group(1).upper().replace(" ", "")
            found.setdefault(reference, system)
    return tuple((system, ref) for ref, system in found.items())


def _dates_near(text: str, word: re.Pattern[str]) -> list[date]:
    out = []
    for found in all_dates(text):
        before = text[max(0, found.start - 30) : found.start]
        if word.search(before):
            out.append(found.value)
    return out


# Pure, and asked of every sentence and entry line (and of each again by later readers).
@lru_cache(maxsize=2048)
def read_child(text: str, *, from_names: bool = True) -> ChildBits:
    """The child one line describes; a problem says what cannot be read whole.

    ``from_names`` reads initials from a full name too: right for a labelled child field,
    wrong for a sentence, where a capitalised pair is more often anything but the child.
    """
    try:
        dates = [d.value for d in all_dates(text)]
    except FieldError as err:
        return ChildBits(
            initials=read_initials(text, from_names=from_names), problem=f"its date {err}"
        )
    unborn = bool(_UNBORN.search(text))
    born: date | None = None
    due: date | None = None
    try:
        born_near = _dates_near(text, _BIRTH_WORD)
        due_near = _dates_near(text, _DUE_WORD)
    except FieldError as err:
        return ChildBits(
            initials=read_initials(text, from_names=from_names), problem=f"its date {err}"
        )
    if not (born_near or due_near):
        # "R.L., LCS 655001, strategy on 27/11/2026": that date is the meeting's, not the child's.
        dates = [d for d in dates if d not in _dates_near(text, _OTHER_EVENT)]
    if unborn:
        due = next(iter(due_near or dates), None)
    elif born_near:
        born = born_near[0]
    elif len(set(dates)) == 1:
        born = dates[0]
    elif len(set(dates)) > 1:
        return ChildBits(
            initials=read_initials(text, from_names=from_names),
            problem="it gives more than one date",
        )
    gender = next((g for g, p in _GENDER if p.search(text)), "")
    if not gender and (field := _GENDER_FIELD.search(text)):
        gender = "female" if field.group(1) in "Ff" else "male"
    legal = next((name for name, p in _LEGAL if re.search(p, text, re.IGNORECASE)), "")
    return ChildBits(
        initials=read_initials(text, from_names=from_names),
        date_of_birth=born,
        unborn=unborn,
        due_date=due,
        references=read_references(text),
        gender=gender,
        legal_status=legal,
    )


_ENTRY_START = re.compile(
    r"(?<![A-Za-z])(?:[A-Z]\s?\.\s?[A-Z](?:\s?\.\s?[A-Z])?\.?(?![A-Za-z])|"
    r"(?:\band\s+(?:an?\s+|the\s+)?|,\s*)(?:unborn|baby)\b)",
    re.IGNORECASE,
)


def split_child_entries(text: str) -> list[str]:
    """One line naming several children ("T.R. (DOB ...) and B.R. (DOB ...)") split per child."""
    starts = [m.start() for m in _ENTRY_START.finditer(text)]
    if len(starts) < 2:
        return [text]
    # Only a start followed by its own date counts: "T.R.'s brother B.R." is one child's line.
    pieces = [text[a:b] for a, b in zip(starts, [*starts[1:], len(text)], strict=False)]
    try:
        dated = [p for p in pieces if all_dates(p) or _UNBORN.search(p)]
    except FieldError:
        return [text]
    if len(dated) < 2:
        return [text]
    return [text[: starts[0]] + pieces[0], *pieces[1:]]


def stated_legal_status(text: str) -> str:
    """ "All on CP plans", "Both are on plans under neglect": a child protection plan said
    of the children together. Only that status: "LAC nurse", "SGO carers for D." or "the CIN
    team" are about someone or something else as often as about the child."""
    found = {name for name, p in _LEGAL if re.search(p, text, re.IGNORECASE)}
    return "child protection plan" if found == {"child protection plan"} else ""


def legal_status(text: str) -> str:
    """The legal status in the words MTS use ("CP plan (neglect)" is "child protection plan")."""
    found = next((name for name, p in _LEGAL if re.search(p, text, re.IGNORECASE)), "")
    return found or text.strip()


_BRACKETED_CHILDREN = re.compile(
    r"((?:[A-Z]\.\s?[A-Z]\.(?:\s?[A-Z]\.)?(?:\s*(?:,|and|&)\s*)?)+)\s*\(([^()]{4,80})\)"
)
_ONE_INITIALS = re.compile(r"[A-Z]\.\s?[A-Z]\.(?:\s?[A-Z]\.)?")


def bracketed_children(sentence: str) -> list[str]:
    """ "a conference for T.R. (02/03/2018), following a strategy discussion on ...": one
    child, its date in the brackets after its initials; "T.R. and B.R. (DOB 02/03/2018 and
    05/06/2020)": two, their dates in the same order. Nothing unless the counts agree."""
    found: list[str] = []
    for m in _BRACKETED_CHILDREN.finditer(sentence):
        initials = _ONE_INITIALS.findall(m.group(1))
        try:
            dates = all_dates(m.group(2))
        except FieldError:
            continue
        if len(dates) == 1 < len(initials) and re.search(
            r"\b(both|all|twins|triplets)\b", m.group(2), re.I
        ):
            dates = dates * len(initials)  # "I.Y. and C.Y. (twins, both born 14.05.19)"
        if dates and len(dates) == len(initials):
            inside = m.group(2)
            found.extend(
                f"{who} (DOB {d.value:%d/%m/%Y})" if len(initials) > 1 else f"{who} ({inside})"
                for who, d in zip(initials, dates, strict=True)
            )
    return found
