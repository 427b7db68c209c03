"""How well confbot reads the request emails people really write.

Runs the reader over every case in ``tests/fixtures/requests/corpus/`` and ``heldout/``
(an ``.eml`` and a ``.yaml`` of what MTS would enter; see that folder's README) and
prints one JSON line:

- ``booked_fraction``: of the emails that should become a conference, how many did;
- ``field_recall``: of the values MTS would enter, how many confbot read right;
- ``field_precision``: of the values confbot read, how many were right;
- ``wrong_contacts``: addresses or numbers confbot gave to the wrong person (or to a
  person who is not there): worse than a missing one, so the goal is 0;
- ``outcome_accuracy``: every case's outcome (conference, triage, threshold, attach);
- ``parse_ms_p50`` / ``parse_ms_p99``: time to read one message;
- the same per style, and the held-out set apart (``heldout``).

Goals: booked >= 0.9, recall >= 0.97, precision >= 0.995, wrong contacts 0.
``--cases`` prints each case's misses to stderr, for a person tuning the reader
(never on the held-out set: ``--cases`` shows the corpus only).
"""

from __future__ import annotations

import json
import os
import re
import statistics
import sys
import time
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parents[2]))

from ruamel.yaml import YAML

from bot.core.request import normalise_phone
from bot.intake.draft import Draft, draft_of
from bot.intake.labels import family_relationship
from bot.intake.outcome import AttachToConference, Parsed, ThresholdDiscussion, Triage
from bot.intake.parser import parse_message
from tests.requests_corpus import cases, load_message

ROOT = Path(
    os.environ.get(
        "CONFBOT_REQUESTS_DIR",
        Path(__file__).resolve().parents[2] / "tests" / "fixtures" / "requests",
    )
)
AGENCY_ROLES = {"police", "health", "gp", "school", "agency"}


@dataclass
class Score:
    """Counts for one set of cases."""

    cases: int = 0
    should_book: int = 0
    booked: int = 0
    outcome_right: int = 0
    expected_fields: int = 0
    found_fields: int = 0
    read_fields: int = 0
    right_read: int = 0
    wrong_contacts: int = 0
    times: list[float] = field(default_factory=list)

    def add(self, other: Score) -> None:
        for name in (
            "cases", "should_book", "booked", "outcome_right", "expected_fields",
            "found_fields", "read_fields", "right_read", "wrong_contacts",
        ):  # fmt: skip
            setattr(self, name, getattr(self, name) + getattr(other, name))
        self.times.extend(other.times)

    def json(self) -> dict[str, Any]:
        times = sorted(self.times) or [0.0]
        p99 = times[min(len(times) - 1, int(len(times) * 0.99))]
        return {
            "cases": self.cases,
            "booked_fraction": round(self.booked / self.should_book, 3)
            if self.should_book
            else None,
            "field_recall": round(self.found_fields / self.expected_fields, 4)
            if self.expected_fields
            else None,
            "field_precision": round(self.right_read / self.read_fields, 4)
            if self.read_fields
            else None,
            "wrong_contacts": self.wrong_contacts,
            "outcome_accuracy": round(self.outcome_right / self.cases, 3) if self.cases else None,
            "parse_ms_p50": round(statistics.median(times), 2),
            "parse_ms_p99": round(p99, 2),
        }


def _day(value: Any) -> str | None:
    if value is None or value == "":
        return None
    if isinstance(value, date):
        return value.isoformat()
    return str(value)


def _fold(text: Any) -> str:
    return re.sub(r"[^a-z0-9@'+.]+", " ", str(text or "").lower()).strip()


def _letters(text: Any) -> str:
    return re.sub(r"[^A-Z]", "", str(text or "").upper())


def _relationship(text: Any) -> str:
    words = str(text or "").strip().lower().replace("-", "")
    return (family_relationship(words) or words).replace(" ", "")


def _organisation_matches(expected: str, read: str) -> bool:
    stop = {"the", "of", "and", "&", "nhs", "service", "services", "team", "trust", "school"}
    want = {w for w in _fold(expected).split() if w not in stop}
    got = set(_fold(read).split())
    if not want:
        return _fold(expected) in _fold(read) or _fold(read) in _fold(expected)
    return len(want & got) * 2 >= len(want)


def _name_matches(expected: str, read: str) -> bool:
    want, got = _fold(expected).split(), _fold(read).split()
    if not want or not got:
        return False
    return want == got or set(want) <= set(got) or (want[-1] == got[-1] and want[0][0] == got[0][0])


def _role_of(person: dict[str, Any]) -> tuple[str, str]:
    role = person.get("role", "")
    if role in AGENCY_ROLES:
        return "agency", role
    return role, ""


def _phones(values: Any) -> list[str]:
    out = []
    for value in values or []:
        e164 = normalise_phone(str(value))
        out.append(e164 or str(value))
    return out


@dataclass
class Tally:
    """One case's counts, and what was missed or wrong (for --cases)."""

    expected: int = 0
    found: int = 0
    read: int = 0
    right: int = 0
    wrong_contacts: int = 0
    notes: list[str] = field(default_factory=list)

    def compare(self, what: str, want: Any, got: Any, same: bool | None = None) -> None:
        """One value MTS would enter against the value read (either may be absent)."""
        present_want = want not in (None, "", [], False)
        present_got = got not in (None, "", [], False)
        ok = same if same is not None else (want == got)
        if present_want:
            self.expected += 1
            if present_got and ok:
                self.found += 1
            else:
                self.notes.append(f"missed {what}: want {want!r}, got {got!r}")
        if present_got:
            self.read += 1
            if present_want and ok:
                self.right += 1
            elif not present_want:
                self.notes.append(f"extra {what}: {got!r}")


def _people_pairs(
    expected: list[dict[str, Any]], read: list[dict[str, Any]]
) -> tuple[list[tuple[dict[str, Any], dict[str, Any] | None]], list[dict[str, Any]]]:
    left = list(read)
    pairs: list[tuple[dict[str, Any], dict[str, Any] | None]] = []
    for want in expected:
        w_role, _ = want.get("role", ""), None
        best = None
        for got in left:
            g_role, _ = _role_of(got)
            contact_overlap = set(want.get("emails") or []) & set(got.get("emails") or []) or set(
                _phones(want.get("phones"))
            ) & set(got.get("phones") or [])
            name_ok = _name_matches(str(want.get("name") or ""), str(got.get("name") or ""))
            org_ok = not want.get("name") and _organisation_matches(
                str(want.get("organisation") or ""), str(got.get("organisation") or "")
            )
            if g_role == w_role and (name_ok or org_ok):
                best = got
                break
            if contact_overlap and best is None:
                best = got
        if best is not None:
            left.remove(best)
        pairs.append((want, best))
    return pairs, left


def score_draft(expect: dict[str, Any], draft: Draft) -> Tally:
    """Every value MTS would enter against what was read."""
    t = Tally()
    t.compare("conference type", expect.get("conference_type"), draft.get("conference_type"))
    t.compare(
        "strategy date",
        _day(expect.get("strategy_discussion_date")),
        draft.get("strategy_discussion_date"),
    )
    if "preferred_format" in expect:
        t.compare("format", expect.get("preferred_format"), draft.get("preferred_format"))
    if "confidential_section_requested" in expect:
        t.compare(
            "confidential",
            expect.get("confidential_section_requested"),
            draft.get("confidential_section_requested"),
        )
    words = expect.get("access_needs") or []
    needs = _fold(draft.get("access_needs"))
    for word in words:
        t.compare(f"access need {word}", word, word if _fold(word) in needs else None)
    if not words and needs:
        t.compare("access needs", None, needs)
    t.compare(
        "previous reference",
        expect.get("previous_reference"),
        draft.get("previous_reference"),
        same=_fold(expect.get("previous_reference")) in _fold(draft.get("previous_reference")),
    )
    read_children = list(draft.get("children") or [])
    for n, want in enumerate(expect.get("children") or []):
        got = next(
            (
                c
                for c in read_children
                if _letters(c.get("initials")) == _letters(want.get("initials"))
            ),
            read_children[n] if n < len(read_children) else {},
        )
        if got in read_children:
            read_children.remove(got)
        t.compare(
            f"child {n + 1} initials", _letters(want.get("initials")), _letters(got.get("initials"))
        )
        t.compare(f"child {n + 1} birth", _day(want.get("date_of_birth")), got.get("date_of_birth"))
        t.compare(f"child {n + 1} unborn", bool(want.get("unborn")), bool(got.get("unborn")))
        t.compare(f"child {n + 1} due", _day(want.get("due_date")), got.get("due_date"))
        refs = {str(r).upper().replace(" ", "") for r in want.get("case_references") or []}
        got_refs = {str(r.get("reference")).upper() for r in got.get("case_references") or []}
        for ref in refs:
            t.compare(f"child {n + 1} ref", ref, ref if ref in got_refs else None)
        for ref in got_refs - refs:
            t.compare(f"child {n + 1} ref", None, ref)
        for key in ("gender", "legal_status"):
            if want.get(key) or got.get(key):
                t.compare(
                    f"child {n + 1} {key}",
                    want.get(key),
                    got.get(key),
                    same=_fold(want.get(key)) in _fold(got.get(key))
                    or _fold(got.get(key)) in _fold(want.get(key)),
                )
    for extra in read_children:
        t.compare("extra child", None, extra.get("initials"))
    pairs, spurious = _people_pairs(
        list(expect.get("people") or []), list(draft.get("people") or [])
    )
    everyone_contacts = {
        str(c).lower()
        for p in expect.get("people") or []
        for c in [*(p.get("emails") or []), *_phones(p.get("phones"))]
    }
    for want, paired in pairs:
        who = f"{want.get('role')} {want.get('name') or want.get('organisation')}"
        got = paired or {}
        if want.get("name"):
            t.compare(
                f"{who} name",
                want.get("name"),
                got.get("name"),
                same=_name_matches(str(want.get("name")), str(got.get("name") or "")),
            )
        if want.get("relationship"):
            t.compare(
                f"{who} relationship",
                _relationship(want.get("relationship")),
                _relationship(got.get("relationship")) or None,
            )
        if want.get("organisation"):
            t.compare(
                f"{who} organisation",
                want.get("organisation"),
                got.get("organisation"),
                same=_organisation_matches(
                    str(want.get("organisation")), str(got.get("organisation") or "")
                ),
            )
        if want.get("role") == "agency" and got:
            t.compare(
                f"{who} agency role", want.get("agency_role") or "agency", _role_of(got)[1] or None
            )
        want_contacts = [str(e).lower() for e in want.get("emails") or []] + _phones(
            want.get("phones")
        )
        got_contacts = [str(e).lower() for e in got.get("emails") or []] + list(
            got.get("phones") or []
        )
        for contact in want_contacts:
            t.compare(f"{who} contact", contact, contact if contact in got_contacts else None)
        for contact in got_contacts:
            if contact not in want_contacts:
                t.compare(f"{who} contact", None, contact)
                t.wrong_contacts += 1
                t.notes.append(f"WRONG CONTACT {contact} given to {who}")
    for got in spurious:
        label = f"extra person {got.get('role')} {got.get('name') or got.get('organisation')}"
        t.compare(label, None, got.get("name") or got.get("organisation"))
        # A person who is not there: any address or number on them reaches a stranger.
        for contact in [*(got.get("emails") or []), *(got.get("phones") or [])]:
            t.read += 1
            t.wrong_contacts += 1
            mine = "someone's" if contact.lower() in everyone_contacts else "nobody's"
            t.notes.append(f"WRONG CONTACT {contact} ({mine}) on {label}")
    return t


def outcome_name(outcome: object) -> str:
    if isinstance(outcome, Parsed):
        return "conference"
    if isinstance(outcome, AttachToConference):
        return "attach"
    if isinstance(outcome, ThresholdDiscussion):
        return "threshold"
    return "triage"


def run_case(eml: Path, expect: dict[str, Any]) -> tuple[Score, list[str]]:
    msg = load_message(eml)
    start = time.perf_counter()
    outcome = parse_message(msg)
    elapsed = (time.perf_counter() - start) * 1000
    got = outcome_name(outcome)
    want = expect.get("outcome", "conference")
    score = Score(cases=1, times=[elapsed], outcome_right=int(got == want))
    notes: list[str] = [] if got == want else [f"outcome {got}, want {want}: {_reasons(outcome)}"]
    if want == "triage":
        words = str(expect.get("triage_reason_contains") or "").lower()
        if got == "triage" and words and not any(words in r.lower() for r in _reasons(outcome)):
            score.outcome_right = 0
            notes.append(f"triage reason lacks {words!r}: {_reasons(outcome)}")
    if (
        want == "attach"
        and isinstance(outcome, AttachToConference)
        and expect.get("reference")
        and outcome.reference != expect["reference"]
    ):
        score.outcome_right = 0
        notes.append(f"attached to {outcome.reference}, want {expect['reference']}")
    if want == "conference":
        score.should_book = 1
        score.booked = int(got == "conference")
        draft = (
            draft_of(outcome.request)
            if isinstance(outcome, Parsed)
            else (getattr(outcome, "draft", None) or {})
        )
        tally = score_draft(expect, draft)
        score.expected_fields, score.found_fields = tally.expected, tally.found
        score.read_fields, score.right_read = tally.read, tally.right
        score.wrong_contacts = tally.wrong_contacts
        notes.extend(tally.notes)
    return score, notes


def _reasons(outcome: object) -> list[str]:
    return list(outcome.reasons) if isinstance(outcome, Triage) else []


def run_folder(folder: Path, *, show: bool) -> tuple[Score, dict[str, Score]]:
    yaml = YAML(typ="safe")
    total = Score()
    styles: dict[str, Score] = defaultdict(Score)
    for eml in cases(folder):
        sidecar = eml.with_suffix(".yaml")
        if not sidecar.exists():
            continue
        expect = yaml.load(sidecar.read_text(encoding="utf-8")) or {}
        score, notes = run_case(eml, expect)
        total.add(score)
        styles[str(expect.get("style", "unknown"))].add(score)
        if show and notes:
            print(f"== {eml.name}", *notes, sep="\n  ", file=sys.stderr)
    return total, styles


def main() -> None:
    show = "--cases" in sys.argv
    corpus, styles = run_folder(ROOT / "corpus", show=show)
    heldout, held_styles = run_folder(ROOT / "heldout", show=False)
    line = {
        "bench": "intake_accuracy",
        **corpus.json(),
        "per_style": {name: s.json() for name, s in sorted(styles.items())},
        "heldout": {
            **heldout.json(),
            "per_style": {name: s.json() for name, s in sorted(held_styles.items())},
        },
    }
    print(json.dumps(line))


if __name__ == "__main__":
    main()
