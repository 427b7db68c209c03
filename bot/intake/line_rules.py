"""What one line or value says, read without state: labels without colons, tick boxes,
values that describe a child, a contact alone, a sentence that carries on.

The extractor asks these of each line; none of them looks at any other line.
"""

from __future__ import annotations

import re

from bot.intake import fields as read
from bot.intake.child_line import read_child, read_initials
from bot.intake.inline import read_contact, split_people
from bot.intake.labels import FieldKey, parse_label

LABELLED_SENTENCE = re.compile(
    r"(?<=[.!?])\s+(?=[A-Z][A-Za-z' ]{1,40}:\s)|\s+\|\s+(?=[A-Za-z][A-Za-z' ]{0,40}:\s)"
)
VERB_NEXT = re.compile(
    r"^(is|was|has|had|will|would|and|said|says|wants|can|lives|who|does|did|to|not|are|"
    r"were|may|might|should|of|in|at|on)\b",
    re.IGNORECASE,
)
CONTACT_HINT = re.compile(r"@|\d{3}|\(|\bdob\b|\bborn\b", re.IGNORECASE)
SIDE_BY_SIDE = re.compile(r"\s{3,}(?=[A-Za-z][A-Za-z' /().]{0,40}:\s)")  # "D.O.B:" too
# A value that may name several people: "A ...; B ..." or "A ... and B ...".
SEVERAL = re.compile(r";|,|\s(?:and|&)\s", re.IGNORECASE)
# "Refuge key worker: ...", "Turning Point - Dan Rudd - ...": a short label, then the rest.
SERVICE_LINE = re.compile(r"^([A-Za-z][A-Za-z'’&/ ]{1,40}?)\s*(?::|\s[-–—]\s)\s*(\S.*)$")
SAYS = re.compile(
    r"\b(i|i'd|i'm|i’d|i’m|we|you|please|like|would|could|can|will|is|are|was|too|also|"
    r"thanks|regards|dear|hi|hello)\b",
    re.IGNORECASE,
)
# A form's tick boxes: "☐ ICPC ☒ Pre-birth ICPC ☐ RCPC" says "Pre-birth ICPC".
_BOX = re.compile(r"\s*([☐☒☑✓✔□■]|\[\s*[xX✓]?\s*\])\s*")


def plain_list(value: str, *, family: bool) -> bool:
    """Whether a heading's value lists one entry a part; a sentence ("me (health visitor),
    the GP (...), and DC Martin Hollis from the CAIU (...)") is left to the prose reader."""
    for part in split_people(value, family=family):
        contact = read_contact(part)
        if (
            len(contact.emails) > 1
            or _AND_WORD.search(part)
            or not (contact.name or contact.organisation or contact.roles)
        ):
            return False
    return True


_AND_WORD = re.compile(r"\s(?:and|&)\s", re.IGNORECASE)


SENTENCE_SINGLES = frozenset(
    {"preferred_format", "confidential", "access_needs", "conference_type", "strategy_date"}
)
# Children named by initials alone ("E.P. and G.P."), and each one's value in a shared cell.
_INITIALS = r"(?:[A-Z]\.\s?){2,3}"
INITIALS_LIST = re.compile(rf"\s*{_INITIALS}(?:\s*(?:,|;|&|/|\band\b)\s*{_INITIALS})+\s*")
INITIALS_ONLY = re.compile(r"\s*(?:,|;|&|/|\band\b)\s*")
BEFORE_INITIALS = re.compile(rf"\s*(?:/|;|,|\band\b)?\s*(?={_INITIALS}(?![A-Za-z]))")
LEADING_INITIALS = re.compile(rf"\s*({_INITIALS})(?![A-Za-z])")
# A number or address said for several people together, whose it is unsaid.
UNPLACED_CONTACT = "unplaced_contact"
# "... NOT to be invited", "please don't invite dad": someone named and left off the invites.
NOT_INVITED = re.compile(
    r"\b(not (?:to )?be invited|(?:do not|don'?t|please don'?t|must not|should not) invite)\b",
    re.IGNORECASE,
)
LEFT_OFF = "left_off"
# A number or address the request says is out of use ("the old mobile no longer works").
RETIRED_CONTACT = "retired_contact"
CONTACT_FIELDS = frozenset({"phone", "email", "contact"})
HEAD_VERB = re.compile(r"\b(?:is|are|was|were|has|have|will|would)\b", re.IGNORECASE)
WORDS_ONLY = re.compile(r"[A-Za-z'’\- ]+")
_SENTENCE_GOES_ON = re.compile(r"[.)]\s+[A-Z][a-z]")


def shortest_same_label(words: list[str], key: FieldKey) -> int:
    """ "Mosaic number MOS 774201": "Mosaic number" is the label, "MOS" the value's start."""
    for size in range(1, len(words)):
        if not all(w.isupper() and len(w) <= 4 for w in words[size:]):
            continue  # only a system's code ("MOS", "LCS") moves to the value
        found = parse_label(" ".join(words[:size]), None)
        if found is not None and (found.group, found.name) == (key.group, key.name):
            return size
    return len(words)


def reads_as(field: str, text: str) -> bool:
    """Whether an unseparated row's value is one of the request's own facts, read whole."""
    if field not in _UNSEPARATED_SINGLES:
        return False
    try:
        if field == "conference_type":
            read.read_conference_type(text)
        elif field == "preferred_format":
            return read.read_format(text)[0] is not None
    except read.FieldError:
        return False
    return field == "conference_type" or any(ch.isdigit() for ch in text)


def only_contact(field: str, text: str) -> bool:
    """ "Mother's telephone 07700 900801": a row whose value is only that contact."""
    if field == "phone":
        return bool(_PHONE_ONLY.fullmatch(text.strip()))
    if field == "email":
        return bool(_EMAIL_ONLY.fullmatch(text.strip()))
    return False


_PHONE_ONLY = re.compile(r"[+(]?\d[\d ()\-]{8,18}\d(?:\s*(?:ext\.?|x)\s*\d{1,5})?")
_EMAIL_ONLY = re.compile(r"[^\s@]+@[^\s@]+\.[^\s@]+")


def describes_child(field: str, text: str) -> bool:
    """ "Child T.R. 02/03/2018" describes one; "child protection conference. Mum ... is 17"
    (a sentence wrapped onto a new line) does not. "EDD 28/01/2027" gives its one fact."""
    if field == "initials":
        return len(text.split()) <= 2 and bool(read_initials(text, from_names=False))
    if field == "gender":
        return bool(_GENDER_WORD.fullmatch(text.strip().rstrip(".")))
    if field != "entry":
        # "LCS 640112). The strategy discussion ...": a sentence wrapped onto a new line.
        return any(ch.isdigit() for ch in text) and not _SENTENCE_GOES_ON.search(text)
    bits = read_child(text)
    return bool(bits.initials and (bits.date_of_birth or bits.references)) or (
        bits.unborn and bits.due_date is not None
    )


def has_tick_boxes(text: str) -> bool:
    """Whether a line is a row of a form's tick boxes."""
    return len(_BOX.findall(text)) >= 2


def ticked(text: str) -> str:
    """The ticked options of a row of tick boxes, boxes before or after their words."""
    parts = _BOX.split(text)
    if len(parts) < 5:
        return text
    boxes, words = parts[1::2], parts[0::2]
    if not words[0].strip():
        words = words[1:]  # "☐ ICPC ☒ Pre-birth ICPC": each box, then its words
    elif not words[-1].strip():
        words = words[:-1]  # "Yes [x] No [ ]": the words, then their box
    else:
        return text
    chosen = [
        w.strip(" ,;/")
        for box, w in zip(boxes, words, strict=False)
        if box[:1] in "☒☑✓✔■" or re.fullmatch(r"\[\s*[xX✓]\s*\]", box)
    ]
    return " / ".join(c for c in chosen if c)


# A person's line that says there is no one to invite: "none", "N/A", "Deceased", "died
# 2021", "Not involved".
NOTHING = re.compile(
    r"^\W*(?:(?:none|no|n/?a|nil|not known|unknown|not applicable|tbc|-|not involved|no contact"
    r"|whereabouts unknown|not named|not identified)\W*"
    r"|(?:deceased|died|dead|passed away)\b[^@]{0,40})$",
    re.IGNORECASE,
)
OWN_LABEL = re.compile(r"^[^:]{1,40}:\s*\S")
# A printed form's row with no colon ("Type of conference Initial Child Protection
# Conference", a PDF's table as its text comes out): these fields may be read from one.
_UNSEPARATED_SINGLES = frozenset(
    {"strategy_date", "conference_type", "preferred_format", "previous_reference"}
)
_GENDER_WORD = re.compile(r"(?i:male|female|m|f|boy|girl|non-binary|unknown)")
PERSON_FIELDS = frozenset({"name", "contact_name", "entry", "organisation"})


_NEXT_SENTENCE = re.compile(r"(?<=[a-z0-9)]{2})\.\s+(?=[A-Z])")


def own_sentence(value: str) -> str:
    """ "Acorn Tree Day Nursery - 01632 960875, ask for Gail. Police contact was PC Ryan Holt,
    ryan.holt@...": the value ends where a next sentence gives someone else's details."""
    parts = _NEXT_SENTENCE.split(value, maxsplit=1)
    if len(parts) == 2 and _reachable(parts[0]) and _reachable(parts[1]):
        return parts[0]
    return value


def _reachable(text: str) -> bool:
    contact = read_contact(text)
    return bool(contact.emails or contact.phones)


# "Mum's new mobile since she filled in the form is ...": a sentence, not "Mum's: ...".
SENTENCE_WORDS = re.compile(r"\b(is|are|was|were|has|have|since|because|she|he|they)\b", re.I)
