"""The web app as the tests build it: the real routes over a real SQLite store, a fake runtime."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from typing import Any

from aiohttp import web
from aiohttp.test_utils import TestClient, TestServer

from bot.core.conference import ConferenceState, ConferenceType, MeetingFormat, Role
from bot.store.access import AccessStore
from bot.store.audit import ViewAudit
from bot.store.database import Database
from bot.store.queries import StatusQueries
from bot.store.repository import NewParticipant, Repository
from bot.store.subject import SubjectAccess
from bot.web import audit, auth, health, signin, site, sse, status, subject_access
from bot.web.actions import ACTIONS_KEY, ActionRefused
from bot.web.auth import COOKIE, Identity, SessionSigner
from bot.web.config import CONFIG_KEY, WebConfig
from bot.web.snapshot import HEALTH_KEY, HealthSnapshot

ADMIN_TOKEN = "test-admin-token-0123456789abcdef"
SECRET = "test-session-secret"
# A fixed "now": Tuesday 1 December 2026, 09:00 in London (UTC in winter).
NOW = datetime(2026, 12, 1, 9, 0, tzinfo=UTC)
CHAIR = "chair.one@council.example"
OTHER_CHAIR = "chair.two@council.example"


@dataclass
class FakeActions:
    """Records what the pages asked for and applies the obvious change to the store."""

    repository: Repository
    calls: list[tuple[str, tuple[Any, ...]]] = field(default_factory=list)
    refuse: str | None = None
    late: tuple[Any, ...] = ()  # the last set_format's late and agreement fields

    def _check(self, name: str, *args: Any) -> None:
        self.calls.append((name, args))
        if self.refuse:
            raise ActionRefused(self.refuse)

    async def pending_jobs(self, conference_id: int) -> list[tuple[str, str, datetime]]:
        """No runtime here, so no scheduled jobs."""
        return []

    async def allocate(self, conference_id: int, chair: str, by: str) -> None:
        self._check("allocate", conference_id, chair, by)
        self.repository.update_conference(
            conference_id, chair=chair, state=ConferenceState.AWAITING_FORMAT
        )
        self.repository.append_timeline(conference_id, actor=by, kind="chair_allocated")

    async def set_format(
        self,
        conference_id: int,
        meeting_format: MeetingFormat,
        start: datetime,
        by: str,
        length: timedelta | None = None,
        confidential: timedelta | None = None,
        venue: str | None = None,
        late_reason: str | None = None,
        late_agreed_by: str | None = None,
        format_agreed_by: tuple[str, ...] = (),
        risk_assessed: bool = False,
    ) -> None:
        self._check("set_format", conference_id, meeting_format, start, by, length, confidential)
        self.late = (late_reason, late_agreed_by, format_agreed_by, risk_assessed)
        self.repository.update_conference(
            conference_id,
            meeting_format=meeting_format,
            start_at=start.astimezone(UTC),
            state=ConferenceState.SCHEDULED,
            join_url=f"https://teams.microsoft.com/l/meetup-join/sandbox-{conference_id}",
        )
        self.repository.append_timeline(conference_id, actor=by, kind="format_set")

    async def reschedule(
        self, conference_id: int, start: datetime, length: timedelta | None, by: str
    ) -> None:
        self._check("reschedule", conference_id, start, length, by)
        self.repository.update_conference(conference_id, start_at=start.astimezone(UTC))

    async def cancel(self, conference_id: int, reason: str, approved_by: str, by: str) -> None:
        self._check("cancel", conference_id, reason, approved_by, by)
        self.repository.update_conference(conference_id, state=ConferenceState.CANCELLED)

    async def retry_step(self, conference_id: int, step_id: str, by: str) -> None:
        self._check("retry_step", conference_id, step_id, by)
        self.repository.append_timeline(conference_id, actor=by, kind="done", step_id=step_id)

    async def approve_distribution(
        self, conference_id: int, step_id: str, by: str, role: str = ""
    ) -> None:
        self._check("approve_distribution", conference_id, step_id, by)

    async def decision_sheet(self, conference_id: int) -> Any:
        # The real decision forms over the store: they are pure reads of it.
        from bot.runtime.aftercare.decisions import ChildDecisionRecords

        return ChildDecisionRecords(self._runtime()).sheet(conference_id)

    async def record_decision(
        self, conference_id: int, child_id: int, decision: dict[str, object], by: str
    ) -> Any:
        from bot.runtime.aftercare.decisions import ChildDecisionRecords

        self._check("record_decision", conference_id, child_id, by)
        return ChildDecisionRecords(self._runtime()).record(
            conference_id, child_id, decision, by=by
        )

    async def conclude(
        self, conference_id: int, by: str, decisions: dict[str, object] | None = None
    ) -> str:
        self._check("conclude", conference_id, by)
        return ""

    def playbook_names(self) -> list[str]:
        return sorted(self._playbooks)

    @property
    def _playbooks(self) -> dict[str, Any]:
        from playbooks import load_all_bundled

        return load_all_bundled()

    def _runtime(self) -> Any:
        # Triage is store work only: the real use cases, over a runtime with no Graph.
        from bot.runtime.scheduler import VirtualScheduler
        from tests.runtime_kit import make_runtime

        return make_runtime(self.repository, object(), VirtualScheduler(), self._playbooks)

    async def resolve_triage(self, item_id: int, by: str, note: str) -> None:
        from bot.runtime import triage

        self._check("resolve_triage", item_id, by)
        triage.resolve(self._runtime(), item_id, by=by, note=note)

    async def create_from_triage(
        self,
        item_id: int,
        *,
        conference_type: Any,
        playbook: str,
        social_worker: str,
        by: str,
    ) -> Any:
        from bot.runtime import triage

        self._check("create_from_triage", item_id, playbook, by)
        return triage.create_conference(
            self._runtime(),
            item_id,
            conference_type=conference_type,
            playbook=playbook,
            social_worker=social_worker,
            by=by,
        )


class FixedHealth:
    """A health source with known readings."""

    def __init__(self, snapshot: HealthSnapshot) -> None:
        self.reading = snapshot

    async def snapshot(self) -> HealthSnapshot:
        return self.reading


def build_web_app(
    database: Database,
    *,
    clock: Callable[[], datetime] = lambda: NOW,
    actions: bool = True,
    health_reading: HealthSnapshot | None = None,
    config: WebConfig | None = None,
    poll: timedelta = timedelta(milliseconds=50),
) -> tuple[web.Application, Repository, FakeActions]:
    """The app wired the way bot/app.py wires it, with a fake runtime behind the forms."""
    repository = Repository(database, clock=clock)
    fake = FakeActions(repository)
    app = web.Application()
    app[health.DATABASE_KEY] = database
    app[status.QUERIES_KEY] = StatusQueries(database, clock=clock)
    app[auth.ADMIN_TOKEN_KEY] = ADMIN_TOKEN
    app[auth.SIGNER_KEY] = SessionSigner(SECRET)
    app[auth.ACCESS_KEY] = _LATEST.access = AccessStore(database)
    app[audit.AUDIT_KEY] = ViewAudit(database)
    app[subject_access.SUBJECT_KEY] = SubjectAccess(database)
    _LATEST.cookies.clear()
    app[CONFIG_KEY] = config or WebConfig()
    app[sse.POLL_KEY] = poll
    if actions:
        app[ACTIONS_KEY] = fake
    if health_reading is not None:
        app[HEALTH_KEY] = FixedHealth(health_reading)
    health.add_routes(app)
    signin.add_routes(app)
    site.add_routes(app)
    return app, repository, fake


@dataclass
class _Latest:
    access: AccessStore | None = None
    cookies: dict[tuple[str, str], str] = field(default_factory=dict)


# The store of the app built last. Each test builds one app, so the helpers below can open
# sessions in it without every test passing the app along.
_LATEST = _Latest()


def access_store() -> AccessStore:
    """The sessions and tokens of the app built last."""
    assert _LATEST.access is not None, "build_web_app first"
    return _LATEST.access


def session_cookie(user: str, role: str) -> str:
    """This person's session cookie in the app built last: one session each, like a browser."""
    key = (user, role)
    if key not in _LATEST.cookies:
        _LATEST.cookies[key] = access_store().start_session(Identity(user=user, role=role))
    return _LATEST.cookies[key]


def sign_in_link(base: str = "") -> str:
    """A one-time sign-in link for the sandbox admin, as `serve` prints at start."""
    code = access_store().issue_code(Identity(user="sandbox-admin", role="admin"))
    return f"{base}/signin?code={code}"


def headers_for(role: str | None, user: str | None = None) -> dict[str, str]:
    """Request headers that sign in as ``role`` (no headers for None)."""
    if role is None:
        return {}
    name = user or (CHAIR if role == "chair" else f"{role}@council.example")
    return {"Cookie": f"{COOKIE}={session_cookie(name, role)}"}


def csrf_for(headers: dict[str, str]) -> str:
    """The CSRF token that goes with these sign-in headers."""
    cookie = headers.get("Cookie", "").partition("=")[2]
    return SessionSigner(SECRET).derive("csrf", cookie)


async def client_for(app: web.Application) -> TestClient[web.Request, web.Application]:
    """A started test client; close it with ``await client.close()``."""
    client: TestClient[web.Request, web.Application] = TestClient(TestServer(app))
    await client.start_server()
    return client


def add_conference(
    repository: Repository,
    *,
    playbook: str = "lancashire",
    kind: ConferenceType = ConferenceType.ICPC,
    state: ConferenceState = ConferenceState.REQUESTED,
    chair: str | None = None,
    start: datetime | None = None,
    meeting_format: MeetingFormat | None = None,
    strategy_discussion: date | None = None,
    with_people: bool = True,
) -> int:
    """A conference with fictional participants; returns its id."""
    people = (
        [
            NewParticipant(Role.SOCIAL_WORKER, "Robin Testworker", "Children's Services",
                           email="robin.testworker@council.example", phone="01632 960001"),
            NewParticipant(Role.PARENT, "Sam Testparent", email="sam@example.invalid",
                           phone="07700 900123", held_back=True),
        ]
        if with_people
        else []
    )  # fmt: skip
    conference = repository.create_conference(
        playbook=playbook,
        conference_type=kind,
        participants=people,
        state=state,
        chair=chair,
        strategy_discussion=strategy_discussion,
    )
    changes: dict[str, Any] = {}
    if start is not None:
        changes["start_at"] = start
    if meeting_format is not None:
        changes["meeting_format"] = meeting_format
    if changes:
        repository.update_conference(conference.id, **changes)
    return conference.id


def add_triage(repository: Repository, body: str, body_type: str = "html") -> int:
    """A request email in triage with a reason; returns the triage item id."""
    stored, _ = repository.record_request(
        message_id=f"msg-{datetime.now(UTC).timestamp()}-{len(body)}",
        mailbox="conference-requests@council.example",
        received_at=NOW - timedelta(hours=2),
        sender="robin.testworker@council.example",
        subject="ICPC request for a family in Testtown",
        body=body,
        body_type=body_type,
    )
    item = repository.open_triage(stored.id, ["The date of the strategy discussion is missing."])
    return item.id
