"""Facts a request states once for all its children, given to each child in turn.

"Their LCS numbers are 600021 and 600022", "LCS refs 830501 and 830502", "LCS number(s):
L.M. 620441 / K.M. 620442", "All on CP plans": said once, true of each child. A list is
used only when it names exactly as many references as there are children without one
(or names each child by initials), so nothing is guessed.
"""

from __future__ import annotations

import re
from typing import Any

from bot.intake.child_line import stated_legal_status

_REF = r"(?:MOS[\-\s]?)?[A-Z]{0,4}[\-/]?\d{4,10}"
# A council's own system names ("ICS number") come from its playbook's aliases.
_SYSTEM = r"(LCS|Mosaic|case|person|child(?:ren)?'?s?)"
# "Their LCS numbers are 600021 and 600022", "LCS refs 830501 and 830502", "LCS 720113
# and 720114".
_LISTED = re.compile(
    rf"\b{_SYSTEM}(?:\s+(?:numbers?|nos?\.?|refs?|references?|ids?))?(?:\s*(?:are|is|:|=)\s*|\s+)"
    # "802411 (N.) and 802412 (Z.)": each number may say whose it is.
    rf"({_REF}(?:\s*\((?:[A-Z]\.)+\))?(?:\s*(?:,|and|&|/|;)\s*{_REF}(?:\s*\((?:[A-Z]\.)+\))?)*)",
    re.IGNORECASE,
)
_ONE_REF = re.compile(_REF, re.IGNORECASE)


def _system_of(word: str, reference: str) -> str:
    if reference.upper().startswith("MOS") or word.lower() == "mosaic":
        return "Mosaic"
    return "LCS" if word.lower() == "lcs" else ""


def share_references(children: list[dict[str, Any]], text: str) -> list[int]:
    """Give each child the references listed for the children in turn; the children filled.

    A list naming as many references as there are children gives one to each, in the
    order the children came (taking back any read onto one child's line); a list as long
    as the born children without one gives them theirs; "L.M. 620441" gives L.M. theirs.
    """
    if not children:
        return []
    filled: set[int] = set()
    for n, child in enumerate(children):
        if child["case_references"] or not child["initials"]:
            continue
        near = re.search(
            rf"{re.escape(child['initials'])}\s*[:\-–]?\s*(?:LCS\s*)?(\d{{5,10}})\b", text
        )
        if near:
            _add(children, n, "", near.group(1))
            filled.add(n)
    for m in _LISTED.finditer(text):
        refs = [r.replace(" ", "").upper() for r in _ONE_REF.findall(m.group(2))]
        missing = [
            n for n, c in enumerate(children) if not c["case_references"] and not c["unborn"]
        ]
        if len(refs) == len(children) > 1:
            targets = list(range(len(children)))
        elif refs and len(refs) == len(missing):
            targets = missing
        else:
            continue
        targets = _by_initial(children, m.group(2), len(refs)) or targets
        for n, ref in zip(targets, refs, strict=True):
            _add(children, n, _system_of(m.group(1), ref), ref)
            filled.add(n)
    return sorted(filled)


def _by_initial(children: list[dict[str, Any]], listed: str, count: int) -> list[int]:
    """The child each "(N.)" after a number names, by first initial; [] unless all do."""
    owners = []
    for initial in re.findall(r"\(((?:[A-Z]\.)+)\)", listed):
        found = [n for n, c in enumerate(children) if (c["initials"] or "").startswith(initial)]
        if len(found) != 1:
            return []
        owners.append(found[0])
    return owners if len(owners) == count and len(set(owners)) == count else []


def _add(children: list[dict[str, Any]], n: int, system: str, reference: str) -> None:
    """The reference is child n's: taken from any other child it was read onto."""
    for m, other in enumerate(children):
        if m != n:
            other["case_references"] = [
                r for r in other["case_references"] if r["reference"] != reference
            ]
    held = children[n]["case_references"]
    if any(r["reference"] == reference for r in held):
        for r in held:
            if r["reference"] == reference and system and not r["system"]:
                r["system"] = system
        return
    held.append({"system": system, "reference": reference, "primary": not held})
    for other in children:
        if other["case_references"] and not any(r["primary"] for r in other["case_references"]):
            other["case_references"][0]["primary"] = True


def share_legal_status(children: list[dict[str, Any]], text: str) -> list[int]:
    """ "All on CP plans, category neglect": each child not given a status of its own.

    Only when the message names one legal status and no child has another.
    """
    stated = stated_legal_status(text) if children else ""
    given = {c["legal_status"] for c in children if c["legal_status"]}
    if not stated or given - {stated}:
        return []
    filled = [n for n, child in enumerate(children) if not child["legal_status"]]
    for n in filled:
        children[n]["legal_status"] = stated
    return filled
