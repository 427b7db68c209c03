"""Today (the overview), the conferences list and a conference's detail page."""

from __future__ import annotations

import asyncio
from collections.abc import Mapping
from datetime import UTC, date, datetime, time, timedelta
from urllib.parse import urlencode

from aiohttp import web

from bot.core.actions import ActionOption, Actor, PlaybookFacts, allowed_actions
from bot.core.conference import (
    Conference,
    ConferenceState,
    ConferenceType,
    MeetingFormat,
    TimelineEntry,
)
from bot.core.contacts import FIELD_WORDS
from bot.core.minutes.progress import minutes_progress
from bot.core.post import letters_to_post, letters_to_send_again
from bot.core.timeline import StepKind, Timeline
from bot.core.timeline.status import StepStatus, conference_step_views, parse_recorded
from bot.core.workdays import LONDON
from bot.store.queries import ConferenceFilter, ConferenceLine
from bot.web import forms
from bot.web.audit import record_view
from bot.web.auth import Identity
from bot.web.security import EVERYONE, STAFF, VIEWERS, UserRole, config, require, role_of
from bot.web.snapshot import read_health
from bot.web.status import RISKS_KEY, in_thread, load_visible, queries, render, timelines

PAGE_SIZE = 50
JOB_WORDS = {
    "remind": "reminder",
    "check": "deadline check",
    "pack": "reports pack",
    "runsheet_start": "run sheet start",
    "aftercare.follow_up": "follow-up",
    "aftercare.feedback": "feedback call prompt",
    "aftercare.minutes": "minutes",
}
RISKS_SHOWN = 50
# Roles that need to see participants' names and contact details to do their job.
PERSONAL_DATA_ROLES = frozenset({UserRole.ADMIN, UserRole.MTS, UserRole.CHAIR})


def now_utc(request: web.Request) -> datetime:
    """The time now; tests can fix it with ``app["clock"]``-style wiring in the repository."""
    return queries(request).clock()


def london_day(moment: datetime) -> tuple[datetime, datetime]:
    """The UTC bounds of the London calendar day holding ``moment``."""
    day = moment.astimezone(LONDON).date()
    start = datetime.combine(day, time(0), tzinfo=LONDON)
    end = datetime.combine(day + timedelta(days=1), time(0), tzinfo=LONDON)
    return start.astimezone(UTC), end.astimezone(UTC)


def current_phase(timeline: Timeline | str, now: datetime) -> str | None:
    """The run-sheet phase a meeting under way should be in, by the clock."""
    if isinstance(timeline, str) or not timeline.start <= now < timeline.end:
        return None
    phase = None
    for step in timeline.steps:
        if step.kind is StepKind.PHASE and step.due <= now and step.phase:
            phase = step.phase
    return phase


# How far back the overview counts Teams prompts that a chair may have been shown twice.
DUPLICATES_SHOWN_FOR = timedelta(days=7)


async def overview(request: web.Request) -> web.StreamResponse:
    """Counts by state, today's conferences, deadlines at risk, triage, failures and health."""
    identity = require(request, EVERYONE)
    if role_of(identity) is UserRole.CHAIR:
        raise web.HTTPFound("/conferences")
    q, cache, now = queries(request), timelines(request), now_utc(request)
    day_start, day_end = london_day(now)
    version = await in_thread(q.overview_version)
    memo = request.app[RISKS_KEY]
    counts, today, risks, triage_count, failed, health = await asyncio.gather(
        in_thread(q.counts_by_state),
        in_thread(q.starting_between, day_start, day_end),
        in_thread(memo.get, q, cache, now, version),
        in_thread(q.open_triage_count),
        in_thread(q.failed_actions, 20),
        read_health(request.app),
    )
    to_post = await in_thread(q.letters_to_post)
    twice = await in_thread(q.duplicate_prompts, now - DUPLICATES_SHOWN_FOR)
    # Threshold discussions are the duty chair's, listed apart from the triage queue.
    thresholds = await in_thread(q.triage_items, "open", "threshold")
    today_rows = [(line, current_phase(cache.compile(line), now)) for line in today]
    return render(
        request,
        "overview.html",
        identity,
        states=list(ConferenceState),
        counts=counts,
        total=sum(counts.values()),
        today=today_rows,
        risks=risks[:RISKS_SHOWN],
        risk_total=len(risks),
        triage_count=triage_count,
        thresholds=thresholds,
        failed=failed,
        twice=twice,
        health=health,
        now=now,
        to_post=to_post,
        to_post_total=sum(count for _, _, count in to_post),
    )


def _enum(kind: type[ConferenceState] | type[ConferenceType], text: str) -> object:
    try:
        return kind(text) if text else None
    except ValueError:
        return None


def _day(text: str) -> date | None:
    try:
        return date.fromisoformat(text) if text else None
    except ValueError:
        return None


def _bound(day: date | None, after: int = 0) -> datetime | None:
    if day is None:
        return None
    return datetime.combine(day + timedelta(days=after), time(0), tzinfo=LONDON).astimezone(UTC)


async def conference_list(request: web.Request) -> web.StreamResponse:
    """Every conference, filtered and paginated; a chair sees only their own."""
    identity = require(request, EVERYONE)
    args = request.query
    state = _enum(ConferenceState, args.get("state", ""))
    kind = _enum(ConferenceType, args.get("type", ""))
    start_day, end_day = _day(args.get("from", "")), _day(args.get("to", ""))
    chair = args.get("chair", "").strip() or None
    is_chair = role_of(identity) is UserRole.CHAIR
    if is_chair:
        chair = None  # a chair's own and those of chairs they cover, below
    where = ConferenceFilter(
        chairs=config(request).chairs_seen_by(identity.user) if is_chair else None,
        state=state if isinstance(state, ConferenceState) else None,
        conference_type=kind if isinstance(kind, ConferenceType) else None,
        chair=chair if chair != "none" else None,
        unallocated=chair == "none",
        playbook=args.get("playbook", "").strip() or None,
        start_from=_bound(start_day),
        start_before=_bound(end_day, after=1),
    )
    try:
        page_number = max(1, int(args.get("page", "1")))
    except ValueError:
        page_number = 1
    q = queries(request)
    page, chairs, playbooks = await asyncio.gather(
        in_thread(q.page, where, offset=(page_number - 1) * PAGE_SIZE, limit=PAGE_SIZE),
        in_thread(q.chairs) if not is_chair else asyncio.sleep(0, result=[]),
        in_thread(q.playbooks),
    )
    kept = {k: v for k, v in args.items() if k != "page" and v}
    pages = max(1, -(-page.total // PAGE_SIZE))

    def link(number: int) -> str:
        return "/conferences?" + urlencode({**kept, "page": str(number)})

    return render(
        request,
        "conferences.html",
        identity,
        page=page,
        page_number=page_number,
        pages=pages,
        previous=link(page_number - 1) if page_number > 1 else None,
        next=link(page_number + 1) if page_number < pages else None,
        args=args,
        states=list(ConferenceState),
        types=list(ConferenceType),
        chairs=chairs,
        playbooks=playbooks,
        is_chair=is_chair,
    )


def line_of(conference: Conference) -> ConferenceLine:
    """The list form of a conference, which the timeline cache compiles."""
    reason = conference.facts.get("late_reason")
    return ConferenceLine(
        id=conference.id,
        reference=conference.reference,
        playbook=conference.playbook,
        conference_type=conference.conference_type,
        state=conference.state,
        chair=conference.chair,
        meeting_format=conference.meeting_format,
        start_at=conference.start_at,
        strategy_discussion=conference.strategy_discussion,
        updated_at=conference.updated_at,
        length_minutes=None
        if conference.length is None
        else conference.length // timedelta(minutes=1),
        confidential_minutes=(
            None
            if conference.confidential_length is None
            else conference.confidential_length // timedelta(minutes=1)
        ),
        late_reason=str(reason) if reason else None,
    )


# Steps the runtime records that are not in a playbook's timeline, in words.
RUNTIME_STEPS = {
    "acknowledgement": "Acknowledge the request to the social worker",
    "call_sheet": "Send the chair the call sheet",
    "preset": "The request's preferred chair, format and time",
    "aftercare": "The minutes and what follows the conference",
}


def step_words(recorded: str, texts: Mapping[str, str]) -> str:
    """A recorded step id as words: the step's own text, never its internal id."""
    found = parse_recorded(recorded)
    text = texts.get(found.step) or RUNTIME_STEPS.get(found.step.split(".")[0])
    if text is None:
        return "a step no longer in the timeline"
    first = text.split(". ")[0].rstrip(".")
    first = first if len(first) <= 90 else first[:87].rstrip() + "..."
    # A job's outcome says which part of the step ran: a reminder is not the step itself.
    return f"{JOB_WORDS.get(found.action, found.action)}: {first}" if found.action else first


def _options(
    request: web.Request,
    identity: Identity,
    conference: Conference,
    entries: list[TimelineEntry],
    now: datetime,
) -> tuple[tuple[ActionOption, ...], PlaybookFacts]:
    """What can be done to the conference now, by this person, and its playbook's facts."""
    playbook = timelines(request).playbook(conference.playbook)
    facts = (
        PlaybookFacts.of(playbook, conference)
        if playbook is not None
        else PlaybookFacts(False, missing_rules="its playbook is not loaded")
    )
    actor = Actor(identity.user, role_of(identity).value)
    return allowed_actions(conference, facts, entries, now, actor=actor), facts


async def conference_detail(
    request: web.Request,
    *,
    error: str | None = None,
    status: int = 200,
    form: Mapping[str, str] | None = None,
    errors: Mapping[str, str] | None = None,
) -> web.StreamResponse:
    """One conference: facts, participants, meeting, timeline, consent, minutes and actions."""
    identity = require(request, EVERYONE)
    conference = await load_visible(request, identity)
    if request.method == "GET":
        await record_view(request, identity, conference.id, "page")
    reads, now = queries(request), now_utc(request)
    entries, request_id = await asyncio.gather(
        in_thread(reads.timeline, conference.id),
        in_thread(queries(request).request_for_conference, conference.id),
    )
    timeline = await in_thread(timelines(request).compile, line_of(conference))
    steps = (
        []
        if isinstance(timeline, str)
        else list(conference_step_views(timeline, conference, entries, now))
    )
    texts = {} if isinstance(timeline, str) else {s.id: s.text for s in timeline.steps}
    options, facts = _options(request, identity, conference, entries, now)
    role = role_of(identity)
    offered = forms.offered_actions(request, role, options)
    return render(
        request,
        "conference.html",
        identity,
        status=status,
        conference=conference,
        timeline=timeline,
        steps=steps,
        statuses=StepStatus,
        late_count=sum(1 for s in steps if s.status is StepStatus.LATE),
        entries=[(e, step_words(e.step_id, texts) if e.step_id else "") for e in entries[-50:]],
        # The run sheet records consent as runsheet.consent_given / consent_refused.
        consents=[e for e in entries if e.kind.removeprefix("runsheet.").startswith("consent")],
        retries=[
            (o.target, step_words(o.target, texts))
            for o in options
            if o.name == "retry" and o.allowed
        ],
        show_personal=role in PERSONAL_DATA_ROLES,
        show_link=role in PERSONAL_DATA_ROLES,
        minutes=minutes_progress(entries),
        request_id=request_id if role in STAFF else None,
        phase=current_phase(timeline, now),
        allowed=offered.names,
        hints=offered.hints,
        formats=list(facts.formats) or list(MeetingFormat),
        agreement=facts,
        actions_wired=offered.wired,
        error=error,
        # A refused format decision may need a late exception: the page points to its fields.
        late_hint=status == 409 and bool(form and form.get("date")),
        form=form or {},
        notice=forms.NOTICES.get(request.query.get("done", "")),
        viewer=role in VIEWERS,
        errors=errors or {},
        field_words=FIELD_WORDS,
        # Letters that could not go by email, for the admin team to post.
        to_post=letters_to_post(conference, entries) if role in PERSONAL_DATA_ROLES else (),
        send_again=letters_to_send_again(conference, entries),
    )


def add_routes(app: web.Application) -> None:
    """Mount the overview, list and detail pages, and the detail page's forms."""
    app.router.add_get("/", overview, name="overview")
    app.router.add_get("/conferences", conference_list, name="conferences")
    app.router.add_get(r"/conferences/{conference_id:\d+}", conference_detail, name="conference")
    forms.add_routes(app, conference_detail)
