"""Requests written as sentences: "Mum is Kelly Dawes, her mobile is 07700 900611."

Read only where no labelled field says the same thing, and only what a sentence says
plainly: a family or professional word next to a name, numbers and addresses in the same
sentence (or the next one, when it starts "Her mobile..."), dates next to "strategy" or
"born". Who sent the request, and their signature, is read in ``senders``.
"""

from __future__ import annotations

import re
from collections.abc import Iterable

from bot.intake.blocks import Block, Table, clean_text, own_text
from bot.intake.field_values import Fields, Value
from bot.intake.fields import RELATIVE_DAY
from bot.intake.labels import (
    NO_NEEDS,
    SOCIAL_WORKER,
    TEAM_MANAGER,
)
from bot.intake.line_rules import RETIRED_CONTACT, has_tick_boxes
from bot.intake.mentions import LINK, NAME, NOT_A_NAME, ROLE_ITEM, TITLE
from bot.intake.prose_children import read_children
from bot.intake.prose_people import read_people, up_to_someone_else
from bot.intake.retired import out_of_use

DISCLAIMER = re.compile(
    r"(this (e-?mail|message|communication)( and any (files|attachments))?.{0,40}"
    r"(confidential|intended|privileged|monitored)|intended (solely )?for the (use of the )?"
    r"(named )?(addressee|recipient|individual)|if you (have )?received this .{0,30}in error|"
    r"disclaimer|switchboard|postmaster@|please consider the environment|main reception|"
    r"out of hours|general enquiries|contact centre|emergency duty team|customer services|"
    r"named recipient|"
    r"virus(es)? (check|scan)|views expressed .{0,40}(not|do not)|gcsx|cjsm|"
    r"registered (office|charity)|freedom of information act|not the intended recipient|"
    r"unauthori[sz]ed (use|disclosure)|monitored (for|and) )",
    re.IGNORECASE,
)
_THRESHOLD = re.compile(
    r"\b(threshold (discussion|consultation|conversation|meeting|decision|query)|"
    r"(discuss|discussion|consult|consultation|speak|talk)\w*\s+(with\s+)?(the\s+|a\s+)?duty"
    r"\s+(cp\s+|child protection\s+)?(chair|iro|manager)|whether .{0,60}meets? (the )?threshold|"
    r"meets? (the )?threshold for (an? )?(icpc|initial|conference))",
    re.IGNORECASE,
)
# A full stop ends a sentence, but not initials ("T.R. (DOB ...)") or a title ("Mrs. Dawes").
_SENTENCE = re.compile(
    r"(?<![A-Z]\.[A-Z]\.)(?<!\b[A-Z]\.)(?<!\bMrs\.)(?<!\bMr\.)(?<!\bMs\.)(?<!\bDr\.)"
    r"(?<=[.!?])\s+(?=[A-Z])|\n+"
)
_MANAGER = re.compile(
    rf"\b(?i:(?:my|the|our|his|her)\s+(?:(?:team\s+|practice\s+|line\s+)?manager|tm))\b"
    rf"{LINK}{TITLE}{NAME}"
)
_MANAGER_AFTER = re.compile(
    rf"\b{NAME}\s*(?:\(|,|is)\s*(?i:(?:my|the)?\s*(?:team|practice)\s+manager)"
)
_SOCIAL_WORKER = re.compile(
    rf"\b(?i:(?:the\s+)?(?:allocated\s+)?(?:social worker|SW))\b{LINK}{TITLE}{NAME}"
)
# "Olivia Grant (SW, cc'd) asked me to send this on": the name before the role.
_SOCIAL_WORKER_AFTER = re.compile(
    rf"\b{NAME}\s*(?:\(|,\s*)(?:the\s+)?(?:(?:boys|girls|children|kids)['’]\s+"
    rf"|(?:child|baby)['’]s\s+|(?:[A-Z]\.)+['’]s\s+)?"
    rf"(?i:(?:the\s+)?(?:allocated\s+)?(?:social worker|SW))\b"
)
_I_AM_SW = re.compile(
    r"\b(i\s*am|i'm|i’m)\s+(the\s+)?(allocated\s+|case holding\s+|child'?s\s+)?"
    r"(social worker|sw)\b",
    re.IGNORECASE,
)
_STRATEGY = re.compile(r"\bstrat(egy)?\b", re.IGNORECASE)
_TYPES = (
    ("TI", re.compile(r"\btransfer[\s\-]*in\b|\bTI(?:CPC)?\b|\btransfer (ICPC|conference)", re.I)),
    ("RCPC", re.compile(
        r"\bRCPC\b|\breview (child protection )?(case )?conference\b|\breview CP", re.I
    )),
    ("ICPC", re.compile(
        r"\bICPC\b|\binitial (child protection )?(case )?conference\b"
        r"|\bpre[\s\-]?birth (ICPC|conference)", re.I
    )),
    ("LAC", re.compile(r"\blooked after child(ren)? review\b|\bLAC review\b|\bCLA review\b", re.I)),
)  # fmt: skip
_FORMATS = (
    # "in person at Fenbridge House with a Teams link for dad": both at once.
    ("hybrid", re.compile(r"\bhybrid\b|\bwith an? (ms |microsoft )?teams link\b", re.I)),
    ("face_to_face", re.compile(r"\b(face[\s\-]to[\s\-]face|in person)\b", re.I)),
    (
        "conference_call",
        re.compile(r"\b(conference|telephone|audio) call\b|\b(tele)?phone conference\b", re.I),
    ),
    (
        "phone_calls",
        re.compile(r"\bphone series\b|\bcalls? to each\b|\b(be|being) (phoned|rung)\b", re.I),
    ),
    (
        "teams",
        re.compile(
            r"\b(on |via |over |by |using )?(ms |microsoft )?teams\b|\bvirtual(ly)?\b", re.I
        ),
    ),
)
_PREFER = re.compile(
    r"\b(prefer|preference|would like|would be best|format|held (on|via|by|as)|happy (for|with)|"
    r"would work|work best|would be (good|great|ideal|easiest|better)|easiest|make it|"
    r"use|i think|if possible|if at all possible|is fine|are fine|fine for|works for|"
    r"asked (?:that|for|if)|be held)\b|['’]d like",
    re.I,
)
# "All on Teams please", "please make it hybrid": a format asked for with a please.
_PLEASE_NEAR = re.compile(r"\bplease\b", re.I)
# "phoned rather than use Teams", "not Teams": a format said only to be turned down.
_TURNED_DOWN = re.compile(r"\b(rather than|instead of|not|no|than|otherwise)\s+(\w+\s+)?$", re.I)
# "Teams is fine for everyone.", "Hybrid please.": a sentence that opens with the format.
_FORMAT_FIRST = re.compile(
    r"^\W*(ms |microsoft )?(teams|hybrid|face[\s\-]to[\s\-]face|in person)\b", re.IGNORECASE
)
_ACCESS = re.compile(
    r"\b(interpreter|interpreting|translat\w+|bsl|british sign language|hearing (loop|impair\w*)|"
    r"deaf|wheelchair|step[\s\-]free|learning disabilit\w+|visual(ly)? impair\w*|dyslexi\w+|"
    r"first language|speaks? (little|no) english|easy read|accessib\w+|mobility)\b",
    re.IGNORECASE,
)
_CONFIDENTIAL = re.compile(r"\bconfidential\s+(section|slot|part|time|discussion|space)\b", re.I)
# "No confidential section needed", "Confidential section - no", and MTS's question
# "whether a confidential section is needed", quoted in a reply: none is asked for.
_NO_CONFIDENTIAL = re.compile(
    r"\b(no|not|don'?t|do not|won'?t|whether)\b[^.]{0,40}\bconfidential\s+(section|slot)"
    r"|\bconfidential\s+(section|slot)s?\W{0,3}\s*(-|–|:|\?)?\s*"
    r"(no|not (needed|required|requested)|none|n/?a)\b",
    re.I,
)


def drop_disclaimers(blocks: list[Block]) -> list[Block]:
    """The blocks without legal disclaimers and switchboard lines, which name nobody invited."""
    out: list[Block] = []
    skipping = False
    for block in blocks:
        if isinstance(block, Table):
            skipping = False
            out.append(block)
            continue
        if DISCLAIMER.search(block):
            skipping = True
            continue
        if skipping and block.strip():
            continue
        skipping = False
        out.append(block)
    return out


def own_words(text: str) -> str:
    """The sender's own words above any quoted message, tidied."""
    return own_text(text).strip() or text.strip()


def asks_for_threshold_discussion(subject: str, body: str) -> bool:
    """Whether the email asks the duty chair whether a conference is needed."""
    return bool(_THRESHOLD.search(subject) or _THRESHOLD.search(own_words(body)[:5000]))


def _lines(blocks: Iterable[Block]) -> list[str]:
    lines: list[str] = []
    for block in blocks:
        if isinstance(block, Table):
            for row in block.rows:
                lines.extend(line for cell in row for line in cell.split("\n"))
        else:
            lines.append(block)
    return lines


def _sentences(lines: list[str]) -> list[str]:
    # A sentence wrapped over lines is one sentence; a bullet or a label starts a new one.
    joined: list[str] = []
    for line in (line for line in lines if len(line) < 2000):
        wrapped = (
            bool(joined)
            and len(joined[-1]) > 60
            and not joined[-1].rstrip().endswith((".", ":", "!", "?"))
        )
        carries_on = _CONTINUATION.match(line) or (
            # "...and should be / invited: anthony@..." reads on; "mum: Kelly" is a label,
            # and "GP – Tŷ Meddyg Surgery – ..." the next item of a list.
            wrapped
            and (_CAPITAL_CARRIES_ON.match(line) or _LOWER_CARRIES_ON.match(line))
            and not ROLE_ITEM.match(line)
        )
        if joined and joined[-1] and (_CONTINUES.search(joined[-1]) or wrapped) and carries_on:
            joined[-1] = f"{joined[-1]} {line.strip()}"
        else:
            joined.append(line)
    text = "\n".join(joined)
    return [s.strip() for s in _SENTENCE.split(text) if s and s.strip()]


# A line that stops mid-sentence, and a next line that carries on (no label, no bullet).
_CAPITAL_CARRIES_ON = re.compile(r"^(?![^:]{1,40}:\s)[A-Z][a-zA-Z]")
_LOWER_CARRIES_ON = re.compile(
    r"^(?!\s*(?:mum|dad|mother|father|email|e-mail|phone|tel|mob)\w*\s*:)[a-z]"
)
# A line that stops mid-sentence: a small letter, a comma, or a child's initials ("for M.P.").
_CONTINUES = re.compile(r"[a-z,(]\s*$|(?<![A-Za-z])(?:[A-Z]\.){2,3}\s*$")
_CONTINUATION = re.compile(r"^(?![^:]{1,40}:\s)(?![-*•])(?!\d{1,2}[.)]\s)[a-z0-9(]")


def _has(fields: Fields, group: str) -> bool:
    return any(key[0] == group for key in fields.values)


def _single(fields: Fields, name: str, value: str, source: str) -> None:
    if ("", 0, name) not in fields.values:
        fields.add(("", 0, name), Value(value, source))


# "C.'s previous social worker", "the Ashby social worker": not the one asking.
_SOMEONE_ELSES = re.compile(
    r"\b(previous|former|old|last|transferring|outgoing|their|another|other|own)\s*$|"
    r"\b[A-Z][a-z]+\s*$",
)


def _read_professionals(fields: Fields, sentences: list[str], source: str) -> None:
    # Asked once, not per sentence (each ask scans every field): only this loop adds a
    # team manager or a social worker, and it notes each one it adds.
    has_manager, has_worker = _has(fields, TEAM_MANAGER), _has(fields, SOCIAL_WORKER)
    for sentence in sentences:
        if not has_manager:
            m = _MANAGER.search(sentence) or _MANAGER_AFTER.search(sentence)
            if m and m.group(1).split()[0].lower() not in NOT_A_NAME:
                said = m.group(1) + sentence[m.end() : m.end() + 200]
                fields.add((TEAM_MANAGER, 1, "name"), Value(said, source))
                has_manager = True
        if not has_worker:
            m = _SOCIAL_WORKER.search(sentence) or _SOCIAL_WORKER_AFTER.search(sentence)
            before = sentence[max(0, m.start() - 30) : m.start()] if m else ""
            if (
                m
                and m.group(1).split()[0].lower() not in NOT_A_NAME
                and not _SOMEONE_ELSES.search(before)
            ):
                said = up_to_someone_else(sentence[m.start(1) :], m.group(1))
                fields.add((SOCIAL_WORKER, 1, "name"), Value(said, source))
                has_worker = True


def _format_wished(sentence: str) -> str | None:
    """The format a sentence asks for: the first one named that is not turned down."""
    named = sorted(
        (m.start(), fmt)
        for fmt, pattern in _FORMATS
        for m in pattern.finditer(sentence)
        if not _TURNED_DOWN.search(sentence[max(0, m.start() - 30) : m.start()])
    )
    if not named:
        return None
    at, fmt = named[0]
    said = {f for _, f in named}
    if "hybrid" in said or {"face_to_face", "teams"} <= said:
        # "Mum would like to come in person, and the professionals are happy on Teams, so
        # hybrid please": in the room and on Teams at once is a hybrid meeting.
        fmt = "hybrid"
    near = sentence[max(0, at - 40) : at + 40]
    if _PREFER.search(sentence) or _FORMAT_FIRST.match(sentence) or _PLEASE_NEAR.search(near):
        return fmt
    return None


def _says_no_need(sentence: str) -> bool:
    """ "Interpreter: no.", "ACCESS / INTERPRETER": a label's answer of none, or a heading."""
    label, colon, value = sentence.partition(":")
    if colon and len(label) <= 40:
        return not value.strip() or bool(NO_NEEDS.match(value))
    return sentence.isupper()


def _read_singles(fields: Fields, sentences: list[str], subject: str, source: str) -> None:
    text = "\n".join(sentences)
    if ("", 0, "conference_type") not in fields.values:
        for kind, pattern in _TYPES:
            if pattern.search(subject) or pattern.search(text[:5000]):
                _single(fields, "conference_type", kind, source)
                break
    for sentence in sentences:
        if _STRATEGY.search(sentence) and (
            re.search(r"\d", sentence) or RELATIVE_DAY.search(sentence)
        ):
            after = sentence[_STRATEGY.search(sentence).start() :]  # type: ignore[union-attr]
            _single(fields, "strategy_date", after[:200], source)
        wished = _format_wished(sentence)
        if wished is not None:
            _single(fields, "preferred_format", wished.replace("_", " "), source)
        if _ACCESS.search(sentence) and not (has_tick_boxes(sentence) or _says_no_need(sentence)):
            key = ("", 0, "access_needs")
            if key not in fields.values or all(
                v.source == source + " " for v in fields.values[key]
            ):
                fields.add(key, Value(sentence[:500], source + " "))
        labelled = ("", 0, "confidential") in fields.values
        if not labelled and _CONFIDENTIAL.search(sentence):
            if _NO_CONFIDENTIAL.search(sentence):
                _single(fields, "confidential", "no", source)  # said once, and it holds
            else:
                _single(fields, "confidential", "yes", source)
                _single(fields, "confidential_reason", sentence[:500], source)


def read_prose(fields: Fields, blocks: list[Block], subject: str, source: str) -> None:
    """Add what the email's sentences say plainly, where no labelled field says it."""
    sentences = _sentences(_lines(blocks))[:5000]
    # People in a table are the table readers' to place: its cells are not sentences.
    prose = _sentences([b for b in blocks if isinstance(b, str)])[:5000]
    _read_singles(fields, sentences, clean_text(subject), source)
    read_children(fields, prose, source)
    _read_professionals(fields, prose, source)
    read_people(fields, prose, source)
    for contact in out_of_use(sentences):
        fields.add(("", 0, RETIRED_CONTACT), Value(contact, source))
