"""Which deadlines are at risk, and the compiled timelines they are read from.

Where each step stands is decided in ``bot.core.timeline.status``; this module reads the store
for it and caches the compiled timelines.
"""

from __future__ import annotations

import threading
from collections import OrderedDict
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from functools import lru_cache

from bot.core.conference import TimelineEntry
from bot.core.playbook.model import Playbook
from bot.core.timeline import (
    ConferenceFacts,
    StepKind,
    Timeline,
    TimelineError,
    compile_timeline,
)
from bot.core.timeline.status import StepStatus, StepView, parse_recorded, step_views
from bot.core.workdays import add_working_days, to_london
from bot.store.queries import ConferenceLine, StatusQueries

__all__ = [
    "Risk",
    "RiskMemo",
    "StepStatus",
    "StepView",
    "TimelineCache",
    "bundled_playbooks",
    "entries_of",
    "icpc_risks",
    "report_risks",
    "split_step_id",
    "step_views",
]

# Working Together: an ICPC within 15 working days of the strategy discussion.
ICPC_WORKING_DAYS = 15
# Warn this many working days before the last allowed day when no date is set yet.
ICPC_WARNING_WORKING_DAYS = 3
REPORT_STEPS = frozenset({StepKind.SHARE_DOCUMENTS, StepKind.SHARE_VERBALLY})
REPORT_WINDOW = timedelta(hours=24)  # reports due within this are flagged before they are late
OPEN = frozenset({StepStatus.DUE, StepStatus.LATE, StepStatus.FAILED})


def split_step_id(recorded: str) -> tuple[str, str | None]:
    """(step id, job action) from a timeline line's step id, which may be a job id."""
    found = parse_recorded(recorded)
    return found.step, found.action


def entries_of(conference_id: int, lines: Iterable[tuple[str, str]]) -> list[TimelineEntry]:
    """Timeline entries from the (kind, step id) pairs the status queries give, oldest first.

    The pairs come in the order they happened; made-up times keep that order for the rules.
    """
    return [
        TimelineEntry(i, conference_id, _EPOCH + timedelta(microseconds=i), "", kind, step_id)
        for i, (kind, step_id) in enumerate(lines)
    ]


_EPOCH = datetime(2000, 1, 1, tzinfo=UTC)


@dataclass(frozen=True, slots=True)
class Risk:
    """A deadline at risk: the conference, why, and by when (earlier is more urgent)."""

    conference_id: int
    reference: str
    reason: str
    due: datetime


PlaybookSource = Callable[[], Mapping[str, Playbook]]


@lru_cache(maxsize=1)
def bundled_playbooks() -> Mapping[str, Playbook]:
    """The bundled playbooks, loaded once."""
    from playbooks import load_all_bundled

    return load_all_bundled()


class TimelineCache:
    """Compiled timelines keyed by conference and its last change, so a page never recompiles."""

    def __init__(self, playbooks: PlaybookSource = bundled_playbooks, size: int = 2048) -> None:
        self._playbooks = playbooks
        self._size = size
        self._cache: OrderedDict[tuple[int, datetime], Timeline | str] = OrderedDict()
        self._lock = threading.Lock()

    def playbook(self, name: str) -> Playbook | None:
        """The loaded playbook of that name, if there is one."""
        return self._playbooks().get(name)

    def compile(self, line: ConferenceLine) -> Timeline | str:
        """The conference's timeline, or a sentence saying why it cannot be compiled yet."""
        key = (line.id, line.updated_at)
        with self._lock:
            if key in self._cache:
                self._cache.move_to_end(key)
                return self._cache[key]
        result = self._compile(line)
        with self._lock:
            self._cache[key] = result
            while len(self._cache) > self._size:
                self._cache.popitem(last=False)
        return result

    def _compile(self, line: ConferenceLine) -> Timeline | str:
        if line.meeting_format is None:
            return "The chair has not chosen the format yet."
        if line.start_at is None:
            return "The conference has no date yet."
        playbook = self._playbooks().get(line.playbook)
        if playbook is None:
            return f"The playbook {line.playbook!r} is not loaded."
        facts = ConferenceFacts(
            conference_type=line.conference_type,
            meeting_format=line.meeting_format,
            start=line.start_at,
            length=None if line.length_minutes is None else timedelta(minutes=line.length_minutes),
            confidential=(
                None
                if not line.confidential_minutes
                else timedelta(minutes=line.confidential_minutes)
            ),
            strategy_discussion=line.strategy_discussion,
            late_reason=line.late_reason,
        )
        try:
            return compile_timeline(playbook, facts)
        except TimelineError as err:
            return f"The timeline cannot be worked out: {err}."


@lru_cache(maxsize=4096)
def icpc_last_day(strategy_discussion: date) -> date:
    """The last working day an ICPC may be held, counted from its strategy discussion."""
    return add_working_days(strategy_discussion, ICPC_WORKING_DAYS)


def _end_of_day(day: date) -> datetime:
    return datetime(day.year, day.month, day.day, 17, 0, tzinfo=UTC)


def icpc_risks(rows: Iterable[tuple[int, str, date, datetime | None]], now: datetime) -> list[Risk]:
    """ICPCs dated after their last allowed day, or undated and close to it."""
    warn_from = add_working_days(to_london(now).date(), ICPC_WARNING_WORKING_DAYS)
    today = to_london(now).date()
    risks = []
    for cid, reference, strategy_discussion, start in rows:
        last = icpc_last_day(strategy_discussion)
        if start is None and last > warn_from:
            continue
        when = last.strftime("%a %d %b %Y")
        if start is not None:
            if to_london(start).date() <= last:
                continue
            reason = f"ICPC is dated after its last allowed day, {when} (15 working days)."
        elif today <= last:
            reason = f"ICPC has no date and must be held by {when} (15 working days)."
        else:
            reason = f"ICPC has no date and is past its last allowed day, {when}."
        risks.append(Risk(cid, reference, reason, _end_of_day(last)))
    return risks


def unallocated_risks(lines: Iterable[ConferenceLine], now: datetime) -> list[Risk]:
    """Conferences with no chair allocated."""
    risks = []
    for line in lines:
        due = line.start_at or now
        reason = "No chair is allocated."
        if line.start_at is not None:
            reason = "No chair is allocated, and the conference has a date."
        risks.append(Risk(line.id, line.reference, reason, due))
    return risks


def report_risks(
    lines: Iterable[ConferenceLine],
    progress: Mapping[int, Sequence[TimelineEntry]],
    cache: TimelineCache,
    now: datetime,
) -> list[Risk]:
    """Report-sharing steps that are late, or due within a day, and not yet done."""
    risks = []
    for line in lines:
        timeline = cache.compile(line)
        if isinstance(timeline, str):
            continue
        views = step_views(timeline, progress.get(line.id, ()), now)
        waiting = [
            view.step
            for view in views
            if view.step.kind in REPORT_STEPS
            and view.status in OPEN
            and view.step.due < now + REPORT_WINDOW
        ]
        if not waiting:
            continue
        # One line per conference: the most urgent report step, and how many are late.
        first = min(waiting, key=lambda step: step.due)
        when = to_london(first.due).strftime("%a %d %b, %H:%M")
        late = sum(1 for step in waiting if step.due < now)
        if late > 1:
            reason = f"Reports are late: {late} sharing steps are past due, the first since {when}."
        elif late:
            reason = f"Reports are late: they were due to be shared by {when}."
        else:
            reason = f"Reports are due to be shared by {when}."
        risks.append(Risk(line.id, line.reference, reason, first.due))
    return risks


def report_part(queries: StatusQueries, cache: TimelineCache, now: datetime) -> list[Risk]:
    """Reports late or nearly due, for conferences starting around now."""
    scheduled = queries.scheduled_between(now - timedelta(days=2), now + timedelta(days=8))
    lines = queries.step_lines([line.id for line in scheduled])
    progress = {cid: entries_of(cid, found) for cid, found in lines.items()}
    return report_risks(scheduled, progress, cache, now)


def conference_part(queries: StatusQueries, now: datetime) -> list[Risk]:
    """Risks that depend on the conferences alone: ICPC drift and no chair."""
    return icpc_risks(queries.icpc_dates(), now) + unallocated_risks(queries.unallocated(), now)


def _sorted(risks: list[Risk]) -> list[Risk]:
    return sorted(risks, key=lambda risk: (risk.due, risk.reference))


class RiskMemo:
    """The last at-risk lists, reused while what they depend on is unchanged this minute.

    ICPC drift and unallocated chairs depend on the conferences only, so a new timeline line
    (the commonest change) recomputes only the report part.
    """

    def __init__(self) -> None:
        self._memo: dict[str, tuple[object, list[Risk]]] = {}
        self._lock = threading.Lock()

    def _get(self, part: str, key: object, compute: Callable[[], list[Risk]]) -> list[Risk]:
        with self._lock:
            found = self._memo.get(part)
            if found is not None and found[0] == key:
                return found[1]
        risks = compute()
        with self._lock:
            self._memo[part] = (key, risks)
        return risks

    def get(
        self, queries: StatusQueries, cache: TimelineCache, now: datetime, version: str
    ) -> list[Risk]:
        """The at-risk list for the store at ``version``. Synchronous: call it in a thread."""
        minute = now.replace(second=0, microsecond=0)
        conferences = "|".join(version.split("|")[:2])
        reports = self._get("reports", (version, minute), lambda: report_part(queries, cache, now))
        rest = self._get(
            "conferences", (conferences, minute), lambda: conference_part(queries, now)
        )
        return _sorted(reports + rest)
