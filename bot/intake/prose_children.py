"""Children described in sentences: "T.R. (born 02/03/2018, LCS 123456)".

A sentence describes a child only with their initials and a date said to be theirs. A reply
that gives the one missing thing ("DOB is 19/02/2020", "1. L.'s date of birth - 19/05/2018")
completes the one child the request names, and nothing else.
"""

from __future__ import annotations

import re

from bot.intake.child_line import (
    ChildBits,
    bracketed_children,
    read_child,
    split_child_entries,
)
from bot.intake.field_values import Fields, Value
from bot.intake.labels import CHILD
from bot.intake.named_children import named_children

_DUE_SAID = re.compile(r"\b(e\.?d\.?d|due|expected)\b", re.IGNORECASE)
_CHILD_FACTS = ("entry", "initials", "date_of_birth", "due_date")
# "DOB is 19/02/2020.", "1. L.'s date of birth - 19/05/2018": the date MTS asked for.
_LOOSE_BIRTH = re.compile(
    r"^\s*(?:\d{1,2}[.)]\s+)?(?:(?:his|her|their|the child'?s|(?:[A-Z]\.)+['’]?s)\s+)?"
    r"(?:dob|d\.o\.b\.?|date of birth)\s*(?:is|was|:|-|–)?\s*(?=\d|[A-Z][a-z]+day)"
    # "D. was born on 30/04/2012 and his Mosaic number is MOS417720."
    r"|^\s*(?:(?:[A-Z]\.)+|he|she|they)\s+(?:was|were)\s+born\b",
    re.IGNORECASE,
)
# "an ICPC for R.L.", "conference request - L.G.": the child a request is about.
_CHILD_FOR = re.compile(
    r"\b(?:for|re|regarding|about|-)\s+((?:[A-Z]\.\s?){2,3})(?![A-Za-z])"
    # "D.K.'s review conference needs booking": the child the conference is for.
    r"|\b((?:[A-Z]\.){2,3})['’]s\s+(?:review|initial|transfer|conference|icpc|rcpc|case|plan)\b"
)


def read_children(fields: Fields, sentences: list[str], source: str) -> None:
    """Add the children the sentences describe, where no labelled field describes one."""
    if not any(key[0] == CHILD and key[2] in _CHILD_FACTS for key in fields.values):
        _described(fields, sentences, source)
    _complete_the_one_child(fields, sentences, source)


def _described(fields: Fields, sentences: list[str], source: str) -> None:
    index = 0
    named: list[str] = []  # "an ICPC for R.L., LCS 655001": a child, their date said apart
    context = " ".join(s for s in sentences if len(s) <= 600)
    for sentence in sentences:
        if len(sentence) > 600:
            continue
        described: list[str] = []
        for part in split_child_entries(sentence):
            bits = read_child(part, from_names=False)
            if bits.initials and not (bits.problem or bits.unborn) and _about(part, bits):
                named.append(part)
            dated = bits.initials and (bits.date_of_birth or bits.due_date)
            # In a sentence an unborn baby's date must be said to be the due date: "a
            # pre-birth conference after the strategy discussion on 13/11" gives none.
            due = bits.unborn and bits.due_date and _DUE_SAID.search(part)
            if (dated or due) and not bits.problem:
                described.append(part)
        paired = bracketed_children(sentence)  # "T.R. and B.R. (DOB ... and ...)"
        if not (paired or described):
            # "Rosa Mensah (04/04/2019, LCS 551902)"
            paired = named_children(sentence, context)
        for part in paired if len(paired) > len(described) else described:
            index += 1
            fields.add((CHILD, index, "entry"), Value(part, source))
    if index == 0 and len({read_child(p).initials for p in named}) == 1 and _loose_birth(sentences):
        fields.add((CHILD, 1, "entry"), Value(named[0], source))


def _about(part: str, bits: ChildBits) -> bool:
    return bool(bits.references) or bool(_CHILD_FOR.search(part))


def _loose_birth(sentences: list[str]) -> str | None:
    """The one date of birth said on its own, if the sentences give exactly one."""
    said = [s for s in sentences if len(s) < 200 and _LOOSE_BIRTH.match(s)]
    births = {read_child(s).date_of_birth for s in said} - {None}
    return next(s for s in said if read_child(s).date_of_birth) if len(births) == 1 else None


def _baby_due(sentences: list[str]) -> str | None:
    """The one sentence saying when a baby is due, if exactly one does."""
    said = [
        s
        for s in sentences
        if len(s) < 300
        and _BABY_DUE.search(s)
        and not _NOT_A_BIRTH.search(s)
        and re.search(r"\d", s)
    ]
    return f"unborn, due {said[0]}" if len(said) == 1 else None


_BABY_DUE = re.compile(
    r"\b(?:she|mum|mother|baby|is|expecting|pregnant)\b[^.]{0,40}\b(?:due|edd|expected)\b",
    re.IGNORECASE,
)
# "the review is due on 18 December", "reports are due by": something else falls due.
_NOT_A_BIRTH = re.compile(r"\b(review|conference|rcpc|icpc|report|plan|meeting|visit)\b", re.I)


_REFERENCE_FIELD = {"Mosaic": "mosaic_reference", "LCS": "lcs_reference"}


def _complete_the_one_child(fields: Fields, sentences: list[str], source: str) -> None:
    children = {key[1] for key in fields.values if key[0] == CHILD}
    if len(children) != 1:
        return
    (index,) = children
    said = " ".join(v.text for key, vs in fields.values.items() if key[0] == CHILD for v in vs)
    bits = read_child(said)
    dated = any(
        key[0] == CHILD and key[2] in ("date_of_birth", "due_date") for key in fields.values
    )
    if not (dated or bits.date_of_birth or bits.due_date):
        birth = None if bits.unborn else _loose_birth(sentences)
        due = _baby_due(sentences)
        if birth is not None and due is None:
            fields.add((CHILD, index, "date_of_birth"), Value(birth, source))
            for system, ref in () if bits.references else read_child(birth).references:
                # "... and his Mosaic number is MOS417720": said in the same breath.
                field = _REFERENCE_FIELD.get(system, "case_reference")
                fields.add((CHILD, index, field), Value(ref, source))
        elif due is not None and birth is None:
            # "Mum (Shannon Pryor, 19) is due on the 3rd of March": the unborn baby's date.
            fields.add((CHILD, index, "due_date"), Value(due, source))
    if not bits.initials and not any(k[0] == CHILD and k[2] == "initials" for k in fields.values):
        # "2. The LCS number - 610288" read from a reply; "an ICPC for L.G." above it.
        named = {
            (m.group(1) or m.group(2)).replace(" ", "")
            for s in sentences
            for m in _CHILD_FOR.finditer(s)
        }
        if len(named) == 1:
            fields.add((CHILD, index, "initials"), Value(named.pop(), source))
