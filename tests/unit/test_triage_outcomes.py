"""What intake does with a Triage or ThresholdDiscussion outcome, and booking from a draft.

The outcomes are built here (``parse_message`` is replaced) so these rules hold whatever
the reader makes of an email. A real SQLite store, a fake Graph port.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest

from bot.core.conference import ConferenceType, Role
from bot.core.mailbox import Attachment, InboundMessage, OutgoingMail, RequestMailbox
from bot.intake.draft import DraftRefused, Problem, empty_draft
from bot.intake.outcome import ThresholdDiscussion, Triage
from bot.runtime import intake, letters, triage
from bot.runtime.context import People, Runtime
from bot.runtime.guard import DistributionRefused
from bot.runtime.scheduler import VirtualScheduler
from bot.store.database import Database
from bot.store.repository import Repository
from playbooks import load_bundled
from tests.runtime_kit import make_runtime

MAILBOX = "cp.requests@example.org"
DUTY_CHAIR = "duty.chair@example.org"
WORKER = "ola.brightwater@example.org"


@dataclass
class FakeGraph:
    """Records what is sent; ``fail_sends`` makes that many sends raise first."""

    sent: list[tuple[str, OutgoingMail]] = field(default_factory=list)
    fail_sends: int = 0

    async def send_mail(self, sender: str, mail: OutgoingMail) -> None:
        if self.fail_sends:
            self.fail_sends -= 1
            raise ConnectionError("Graph is down")
        self.sent.append((sender, mail))

    async def send_mails(self, sender: str, mails: Sequence[OutgoingMail]) -> list[int]:
        for mail in mails:
            await self.send_mail(sender, mail)
        return [202] * len(mails)

    async def mark_processed(self, mailbox: str, message_id: str, **_: Any) -> str:
        return message_id


@pytest.fixture
def database(tmp_path: Path) -> Database:
    db = Database(f"sqlite:///{tmp_path / 'confbot.sqlite3'}")
    db.upgrade()
    return db


def runtime(database: Database, graph: FakeGraph, duty_chair: str | None = DUTY_CHAIR) -> Runtime:
    rt = make_runtime(
        Repository(database),
        graph,
        VirtualScheduler(),
        {"lancashire": load_bundled("lancashire")},
        mailbox=MAILBOX,
    )
    return dataclasses.replace(rt, people=People(duty_chair=duty_chair))


def message(message_id: str = "m1") -> InboundMessage:
    return InboundMessage(
        id=message_id,
        internet_message_id=f"<{message_id}@example.org>",
        received_at=datetime(2026, 11, 30, 9, 15, tzinfo=UTC),
        sender=WORKER,
        subject="Threshold discussion please",
        body="Could I have a threshold discussion about A.B.?",
        body_type="text",
    )


def draft_read(**changes: Any) -> dict[str, Any]:
    """A complete ICPC request as a draft: one child, the social worker and a parent."""
    strategy = (datetime.now(UTC).date() - timedelta(days=2)).isoformat()
    draft = {
        **empty_draft(),
        "conference_type": "ICPC",
        "strategy_discussion_date": strategy,
        "children": [
            {
                "initials": "A.B.",
                "date_of_birth": "2019-06-04",
                "unborn": False,
                "due_date": None,
                "gender": "",
                "legal_status": "",
                "case_references": [{"system": "LCS", "reference": "604118", "primary": True}],
            }
        ],
        "people": [
            {
                "role": "social_worker",
                "name": "Ola Brightwater",
                "relationship": "",
                "organisation": "",
                "emails": [WORKER],
                "phones": ["+441134960321"],
                "postal_address": "",
            },
            {
                "role": "parent",
                "name": "Casey Fenwick",
                "relationship": "mother",
                "organisation": "",
                "emails": ["casey.fenwick@family.example.net"],
                "phones": ["+447700900642"],
                "postal_address": "",
            },
        ],
    }
    return {**draft, **changes}


def outcome_is(monkeypatch: pytest.MonkeyPatch, outcome: object) -> None:
    monkeypatch.setattr(intake, "parse_message", lambda _msg, _vocabulary: outcome)


async def deliver(rt: Runtime, msg: InboundMessage | None = None) -> intake.Handled:
    return await intake.handle_message(rt, msg or message(), RequestMailbox(MAILBOX, "lancashire"))


async def test_a_triage_outcome_keeps_its_draft_problems_and_sources(
    database: Database, monkeypatch: pytest.MonkeyPatch
) -> None:
    rt = runtime(database, FakeGraph())
    draft = draft_read(strategy_discussion_date=None)
    problem = Problem(
        "strategy_discussion_date", "an ICPC needs the date of the strategy discussion"
    )
    outcome_is(
        monkeypatch,
        Triage(("no strategy date",), draft, (problem,), {"children.0.initials": "line 4"}),
    )
    handled = await deliver(rt)
    item = rt.store.triage_for_request(handled.request_id)
    assert handled.outcome == "triage" and item is not None
    assert (item.kind, item.draft, item.sources) == (
        "request",
        draft,
        {"children.0.initials": "line 4"},
    )
    assert item.problems == (problem.as_json(),)


async def test_a_threshold_outcome_opens_a_threshold_item_and_emails_the_duty_chair(
    database: Database, monkeypatch: pytest.MonkeyPatch
) -> None:
    graph = FakeGraph()
    rt = runtime(database, graph)
    outcome_is(monkeypatch, ThresholdDiscussion(draft_read(), "School raised new concerns."))
    handled = await deliver(rt)
    item = rt.store.triage_for_request(handled.request_id)
    assert handled.outcome == "threshold" and item is not None
    assert (item.kind, item.summary) == ("threshold", "School raised new concerns.")
    [(sender, mail)] = graph.sent
    assert sender == MAILBOX and mail.to == (DUTY_CHAIR,) and mail.reply_to == WORKER
    assert "Ola Brightwater" in mail.subject
    assert WORKER in mail.html_body and "+441134960321" in mail.html_body
    assert item.notified_at is not None


async def test_the_duty_chair_is_emailed_once_however_often_the_email_arrives(
    database: Database, monkeypatch: pytest.MonkeyPatch
) -> None:
    graph = FakeGraph()
    rt = runtime(database, graph)
    outcome_is(monkeypatch, ThresholdDiscussion(draft_read(), "New concerns."))
    await deliver(rt)
    again = await deliver(rt)
    assert again.outcome == "replay"
    assert len(graph.sent) == 1


async def test_a_notice_that_could_not_go_goes_when_the_email_is_read_again(
    database: Database, monkeypatch: pytest.MonkeyPatch
) -> None:
    graph = FakeGraph(fail_sends=1)
    rt = runtime(database, graph)
    outcome_is(monkeypatch, ThresholdDiscussion(draft_read(), "New concerns."))
    with pytest.raises(ConnectionError):
        await deliver(rt)
    assert graph.sent == []
    await deliver(rt)
    assert [mail.to for _sender, mail in graph.sent] == [(DUTY_CHAIR,)]


async def test_without_a_duty_chair_no_notice_goes_and_the_discussion_still_waits(
    database: Database, monkeypatch: pytest.MonkeyPatch
) -> None:
    graph = FakeGraph()
    rt = runtime(database, graph, duty_chair=None)
    outcome_is(monkeypatch, ThresholdDiscussion(draft_read(), "New concerns."))
    await deliver(rt)
    assert graph.sent == []
    [item] = rt.store.list_triage()
    assert item.kind == "threshold" and item.state == "open" and item.notified_at is None


def test_the_notice_names_children_by_initials_and_leaves_the_emails_words_out() -> None:
    draft = draft_read()
    draft["children"][0]["initials"] = "Amelia Bright"  # a name where initials belong
    subject, body = letters.threshold_notice(draft, WORKER, datetime(2026, 11, 30, 9, tzinfo=UTC))
    assert subject == "Threshold discussion requested by Ola Brightwater"
    assert "A.B. (born 4 June 2019)" in body and "Amelia" not in body
    assert "Casey" not in body  # only the social worker's contact, not the family's


def test_a_notice_without_a_social_worker_says_where_it_came_from() -> None:
    _subject, body = letters.threshold_notice(
        {"children": [], "people": []}, WORKER, datetime(2026, 11, 30, 9, tzinfo=UTC)
    )
    assert f"Email: {WORKER}" in body and "Phone: not given" in body


async def test_a_staff_notice_may_not_carry_documents(database: Database) -> None:
    graph = FakeGraph()
    rt = runtime(database, graph)
    mail = OutgoingMail(
        to=(DUTY_CHAIR,),
        subject="Notice",
        html_body="<p>x</p>",
        attachments=(Attachment("report.pdf", "application/pdf", b"%PDF"),),
    )
    with pytest.raises(DistributionRefused):
        await rt.outbox.send_to_staff(MAILBOX, mail)
    assert graph.sent == []


async def test_booking_from_a_corrected_draft_is_the_same_as_an_email_that_read(
    database: Database, monkeypatch: pytest.MonkeyPatch
) -> None:
    graph = FakeGraph()
    rt = runtime(database, graph)
    outcome_is(
        monkeypatch, Triage(("no strategy date",), draft_read(strategy_discussion_date=None))
    )
    handled = await deliver(rt)
    item = rt.store.triage_for_request(handled.request_id)
    assert item is not None
    conference = await triage.create_from_draft(
        rt, item.id, draft_read(), playbook="lancashire", by="mts@example.org"
    )
    assert [c.initials for c in conference.children] == ["A.B."]
    assert {(p.role, p.name) for p in conference.participants} >= {
        (Role.SOCIAL_WORKER, "Ola Brightwater"),
        (Role.PARENT, "Casey Fenwick"),
    }
    assert conference.strategy_discussion == date.fromisoformat(
        draft_read()["strategy_discussion_date"]
    )
    kinds = [e.kind for e in rt.store.timeline(conference.id)]
    assert "requested" in kinds and "created_from_triage" in kinds and "acknowledged" in kinds
    [resolved] = rt.store.list_triage(state=None)
    assert resolved.resolution == f"Conference {conference.reference} created."
    assert [mail.to for _sender, mail in graph.sent] == [(WORKER,)]  # the acknowledgement


async def test_a_draft_with_a_bad_field_is_refused_by_field_and_books_nothing(
    database: Database, monkeypatch: pytest.MonkeyPatch
) -> None:
    rt = runtime(database, FakeGraph())
    outcome_is(monkeypatch, Triage(("unreadable",), draft_read()))
    handled = await deliver(rt)
    item = rt.store.triage_for_request(handled.request_id)
    assert item is not None
    bad = draft_read()
    bad["children"][0]["date_of_birth"] = "31/02/2019"
    with pytest.raises(DraftRefused) as refused:
        await triage.create_from_draft(rt, item.id, bad, playbook="lancashire", by="mts")
    assert [p.field for p in refused.value.problems] == ["children.0.date_of_birth"]
    assert rt.store.list_triage()[0].state == "open"


async def test_making_an_icpc_request_from_a_threshold_item_forces_the_type(
    database: Database, monkeypatch: pytest.MonkeyPatch
) -> None:
    rt = runtime(database, FakeGraph())
    outcome_is(monkeypatch, ThresholdDiscussion(draft_read(conference_type=None), "Concerns."))
    handled = await deliver(rt)
    item = rt.store.triage_for_request(handled.request_id)
    assert item is not None
    conference = await triage.create_from_draft(
        rt,
        item.id,
        draft_read(conference_type="RCPC"),
        playbook="lancashire",
        by="duty.chair@example.org",
        force_type=ConferenceType.ICPC,
    )
    assert conference.conference_type is ConferenceType.ICPC


def test_the_duty_chair_setting_is_one_address_or_nothing() -> None:
    from bot.settings import ConfigError, load_settings

    assert load_settings(conference={"duty_chair": f" {DUTY_CHAIR} "}).conference.duty_chair == (
        DUTY_CHAIR
    )
    assert load_settings().conference.duty_chair == ""
    with pytest.raises(ConfigError, match="CONFBOT_CONFERENCE__DUTY_CHAIR"):
        load_settings(conference={"duty_chair": "Duty Chair <duty@example.org>, x@example.org"})
