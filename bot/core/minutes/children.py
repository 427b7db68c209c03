"""The children a conference is about, named as confbot names them everywhere: by initials.

The minutes' section and header row, and the phrases letters and emails use ("T.Q. (born
4 May 2019)", "your unborn baby, due 3 March 2027"). Only a child's initials are ever
written: confbot holds no full name, and anything that looks like one is cut to initials.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from datetime import date
from typing import Protocol

from bot.core.conference import CaseReference
from bot.core.minutes.model import Block, MinutesChild, MinutesInput, Paragraph, Section, Table
from bot.core.minutes.text import NOT_RECORDED, sentence

# Stored initials are letters only ("TQ"); families and councils read them dotted.
_BARE_INITIALS = re.compile(r"[A-Z]{1,4}")
# Two lower-case letters in a row mean a word, not initials ("Tamsin" rather than "T.").
_WORD = re.compile(r"[a-z]{2,}")


class NamedChild(Protocol):
    """What naming a child needs: both ``Child`` and ``MinutesChild`` have it."""

    @property
    def initials(self) -> str:
        """The child's initials, as stored."""

    @property
    def date_of_birth(self) -> date | None:
        """When they were born, if known."""

    @property
    def unborn(self) -> bool:
        """True for an unborn baby."""

    @property
    def expected_date(self) -> date | None:
        """An unborn baby's expected date of delivery, if known."""


def initials_text(child: NamedChild) -> str:
    """The child's initials as written to people: "T.Q.", never a name."""
    return initials_of(child.initials)


def initials_of(text: str) -> str:
    """Initials as written to people: "TQ" becomes "T.Q.", and a name is cut to its initials."""
    value = " ".join(text.split())
    if _BARE_INITIALS.fullmatch(value):
        return "".join(f"{letter}." for letter in value)
    if _WORD.search(value):
        # A name where initials belong: keep only the first letter of each word, so a
        # mistake upstream can never put a child's full name in front of anyone.
        words = re.findall(r"[^\W\d_]+", value)
        return "".join(f"{w[0].upper()}." for w in words)
    return value


def day_words(day: date) -> str:
    """A date of birth as written to a family: "4 May 2019", without the weekday."""
    return f"{day.day} {day:%B %Y}"


def birth_words(child: NamedChild) -> str:
    """ "born 4 May 2019", "unborn, expected 3 March 2027", or "" when nothing is known."""
    if child.unborn:
        if child.expected_date is None:
            return "unborn, expected date not known"
        return f"unborn, expected {day_words(child.expected_date)}"
    return f"born {day_words(child.date_of_birth)}" if child.date_of_birth else ""


def child_phrase(child: NamedChild, *, to_parent: bool = False) -> str:
    """One child as a letter names them: "T.Q. (born 4 May 2019)".

    An unborn baby, written to the parent, is "your unborn baby, due 3 March 2027".
    """
    initials = initials_text(child)
    if child.unborn:
        due = f", due {day_words(child.expected_date)}" if child.expected_date else ""
        # An unborn baby often has no initials yet.
        named = f" {initials}" if initials else ""
        return f"your unborn baby{due}" if to_parent else f"the unborn baby{named}{due}"
    born = birth_words(child)
    return f"{initials} ({born})" if born else initials


def children_phrase(children: Sequence[NamedChild], *, to_parent: bool = False) -> str:
    """Every child in one phrase, "T.Q. (born 4 May 2019) and R.Q. (born 1 June 2021)"."""
    words = [child_phrase(c, to_parent=to_parent) for c in children]
    if len(words) <= 1:
        return "".join(words)
    return ", ".join(words[:-1]) + " and " + words[-1]


def about(
    children: Sequence[NamedChild], lead: str = "It is about", *, to_parent: bool = False
) -> str:
    """A sentence naming the children, "It is about T.Q. (born 4 May 2019).", or "" with none.

    A sentence of its own, so a letter's other sentences stay short.
    """
    phrase = children_phrase(children, to_parent=to_parent)
    return f"{lead} {phrase}." if phrase else ""


def case_reference_words(references: Sequence[CaseReference]) -> str:
    """Case references, the case system's first: "123456 (LCS, case system), M-77 (Mosaic)"."""
    ordered = sorted(references, key=lambda r: not r.primary)  # stable: the rest keep order
    out = []
    for ref in ordered:
        notes = [n for n in (ref.system, "case system" if ref.primary else "") if n]
        out.append(f"{ref.reference} ({', '.join(notes)})" if notes else ref.reference)
    return ", ".join(out)


def header_row(children: Sequence[MinutesChild]) -> tuple[str, str] | None:
    """The header's "Child" or "Children" row, or None when no child is recorded."""
    if not children:
        return None
    name = "Child" if len(children) == 1 else "Children"
    return name, children_phrase(children)


def children_section(data: MinutesInput, missing: list[str]) -> Section:
    """Which children the conference is about: initials, birth, case references, status."""
    children = data.children
    heading = (
        "The child this conference is about"
        if len(children) <= 1
        else "The children this conference is about"
    )
    if not children:
        missing.append("Which child or children the conference is about.")
        return Section(
            "children", heading, (Paragraph("No child has been recorded for this conference yet."),)
        )
    with_status = any(c.legal_status for c in children)
    header = ("Initials", "Date of birth", "Case reference") + (
        ("Legal status",) if with_status else ()
    )
    rows = tuple(_row(child, with_status, missing) for child in children)
    blocks: list[Block] = [Table("The children", header, rows, row_headers=True)]
    for child in children:
        initials = initials_text(child)
        if child.advocate:
            blocks.append(Paragraph(f"{initials}'s advocate: {sentence(child.advocate)}"))
        if child.participation:
            blocks.append(Paragraph(f"How {initials} took part: {sentence(child.participation)}"))
    return Section("children", heading, tuple(blocks))


def _row(child: MinutesChild, with_status: bool, missing: list[str]) -> tuple[str, ...]:
    initials = initials_text(child)
    born = birth_words(child)
    if not born or (child.unborn and child.expected_date is None):
        what = "expected date of delivery" if child.unborn else "date of birth"
        missing.append(f"{initials}'s {what}.")
    references = case_reference_words(child.case_references)
    if not references:
        missing.append(f"{initials}'s case reference.")
    born = born[:1].upper() + born[1:]
    cells = (initials, born or NOT_RECORDED, references or NOT_RECORDED)
    return cells + ((child.legal_status or NOT_RECORDED,) if with_status else ())
