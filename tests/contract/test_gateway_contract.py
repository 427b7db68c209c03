"""The gateway's contract, checked against documented responses and the live sandbox alike."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from bot.core.conference import Role
from bot.core.mailbox import Attachment, OutgoingMail
from bot.core.meeting import Attendee, MeetingOptions, MeetingRequest
from graph.errors import NotFound
from graph.mail import PROCESSED_CATEGORY, RestrictedAttachmentError
from tests.contract.harness import (
    MAILBOX,
    MINUTE_TAKER,
    ORGANISER,
    SECOND_CHAIR,
    SOCIAL_WORKER,
    Harness,
)

START = datetime(2026, 12, 1, 10, 0, tzinfo=UTC)


def _fields(body: dict[str, object]) -> set[str]:
    """The properties a request body sets, leaving out OData annotations."""
    return {k for k in body if not k.startswith("@")}


def conference_meeting(transaction_id: str = "CP-2026-00001-icpc") -> MeetingRequest:
    """An ICPC meeting request with the social worker invited and no parent yet."""
    return MeetingRequest(
        organiser=ORGANISER,
        subject="Initial child protection conference",
        start=START,
        end=START + timedelta(hours=2),
        attendees=(Attendee(SOCIAL_WORKER, "Femi Okafor", Role.SOCIAL_WORKER),),
        html_body="<p>Conference details</p>",
        transaction_id=transaction_id,
    )


async def test_create_meeting_returns_join_url_conference_id_and_dial_in(graph: Harness) -> None:
    ref = await graph.gateway.create_meeting(conference_meeting())
    assert ref.event_id
    assert ref.join_url.startswith("https://teams.microsoft.com/l/meetup-join/")
    assert ref.conference_id and ref.conference_id.isdigit()
    assert ref.dial_in and ref.dial_in.startswith("+44")


async def test_create_meeting_asks_for_a_teams_meeting_carrying_the_transaction_id(
    graph: Harness,
) -> None:
    await graph.gateway.create_meeting(conference_meeting("CP-2026-00007-icpc"))
    posts = [r for r in await graph.requests() if r.method == "POST" and r.path.endswith("/events")]
    assert len(posts) == 1
    body = posts[0].body
    assert body["isOnlineMeeting"] is True
    assert body["onlineMeetingProvider"] == "teamsForBusiness"
    assert body["transactionId"] == "CP-2026-00007-icpc"
    assert body["body"]["contentType"] == "html"
    assert [a["emailAddress"]["address"] for a in body["attendees"]] == [SOCIAL_WORKER]


async def test_get_meeting_reads_back_times_and_attendees(graph: Harness) -> None:
    ref = await graph.gateway.create_meeting(conference_meeting())
    meeting = await graph.gateway.get_meeting(ORGANISER, ref.event_id)
    assert meeting.ref.join_url == ref.join_url
    assert meeting.start == START
    assert meeting.end == START + timedelta(hours=2)
    assert SOCIAL_WORKER in meeting.attendee_addresses
    assert not meeting.cancelled


async def test_missing_event_raises_not_found(graph: Harness) -> None:
    with pytest.raises(NotFound):
        await graph.gateway.get_meeting(ORGANISER, "AAMkNoSuchEvent=")


async def test_update_attendees_patches_only_the_attendee_list(graph: Harness) -> None:
    ref = await graph.gateway.create_meeting(conference_meeting())
    attendees = (
        Attendee(SOCIAL_WORKER, "Femi Okafor", Role.SOCIAL_WORKER),
        Attendee("parent.one@example.net", "Parent One", Role.PARENT),
    )
    await graph.gateway.update_attendees(ORGANISER, ref.event_id, attendees)
    patches = [r for r in await graph.requests() if r.method == "PATCH"]
    assert len(patches) == 1
    # Only attendees: Outlook then mails the update to the changed attendee alone.
    assert _fields(patches[0].body) == {"attendees"}


async def test_cancel_meeting_posts_cancel(graph: Harness) -> None:
    ref = await graph.gateway.create_meeting(conference_meeting())
    await graph.gateway.cancel_meeting(ORGANISER, ref.event_id, "The conference has moved.")
    assert any(r.method == "POST" and r.path.endswith("/cancel") for r in await graph.requests())


async def test_set_meeting_options_patches_the_meeting_found_by_join_url(graph: Harness) -> None:
    ref = await graph.gateway.create_meeting(conference_meeting())
    options = MeetingOptions(lobby_bypass="organizer", dial_in_bypass_lobby=False)
    await graph.gateway.set_meeting_options(ORGANISER, ref.join_url, options)
    seen = await graph.requests()
    lookup = [r for r in seen if r.method == "GET" and r.path.endswith("/onlineMeetings")]
    patch = [r for r in seen if r.method == "PATCH" and "/onlineMeetings/" in r.path]
    assert len(lookup) == 1 and len(patch) == 1
    assert patch[0].body["lobbyBypassSettings"] == {
        "scope": "organizer",
        "isDialInBypassEnabled": False,
    }
    assert patch[0].body["allowRecording"] is True


async def test_new_mail_appears_in_inbox_delta_with_its_attachments(graph: Harness) -> None:
    await graph.given_mail(
        "Conference request CP-2026-00042", "Please arrange.", (("referral.txt", b"hello"),)
    )
    result = await graph.gateway.read_inbox_delta(MAILBOX, None)
    assert [m.subject for m in result.messages] == ["Conference request CP-2026-00042"]
    message = result.messages[0]
    assert message.sender == SOCIAL_WORKER
    assert message.received_at.tzinfo is not None
    assert [(a.name, a.content) for a in message.attachments] == [("referral.txt", b"hello")]
    assert result.delta_link
    assert not result.resynced


async def test_delta_link_returns_only_mail_that_arrived_since(graph: Harness) -> None:
    await graph.given_mail("First request", "one")
    first = await graph.gateway.read_inbox_delta(MAILBOX, None)
    await graph.given_mail("Second request", "two")
    second = await graph.gateway.read_inbox_delta(MAILBOX, first.delta_link)
    assert [m.subject for m in second.messages] == ["Second request"]
    third = await graph.gateway.read_inbox_delta(MAILBOX, second.delta_link)
    assert third.messages == []


async def test_expired_delta_link_triggers_a_full_resync(graph: Harness) -> None:
    await graph.given_mail("First request", "one")
    first = await graph.gateway.read_inbox_delta(MAILBOX, None)
    await graph.given_expired_delta()
    again = await graph.gateway.read_inbox_delta(MAILBOX, first.delta_link)
    assert again.resynced
    assert [m.subject for m in again.messages] == ["First request"]
    assert again.delta_link


async def test_mark_processed_adds_a_category_and_never_touches_is_read(graph: Harness) -> None:
    await graph.given_mail("A request", "body")
    message = (await graph.gateway.read_inbox_delta(MAILBOX, None)).messages[0]
    await graph.gateway.mark_processed(MAILBOX, message.id)
    patches = [r for r in await graph.requests() if r.method == "PATCH"]
    assert len(patches) == 1
    assert _fields(patches[0].body) == {"categories"}
    assert patches[0].body["categories"] == [PROCESSED_CATEGORY]
    assert "isRead" not in patches[0].body


async def test_mark_processed_can_move_the_message_to_a_folder(graph: Harness) -> None:
    await graph.given_mail("A request", "body")
    message = (await graph.gateway.read_inbox_delta(MAILBOX, None)).messages[0]
    new_id = await graph.gateway.mark_processed(MAILBOX, message.id, folder="archive")
    assert new_id == message.id  # immutable ids survive the move
    moves = [r for r in await graph.requests() if r.path.endswith("/move")]
    assert len(moves) == 1
    assert moves[0].body == {"DestinationId": "archive"}


async def test_send_mail_carries_attachments_and_reply_to(graph: Harness) -> None:
    mail = OutgoingMail(
        to=(SOCIAL_WORKER, "parent.one@example.net"),
        subject="Invitation to a child protection conference",
        html_body="<p>You are invited.</p>",
        reply_to=MAILBOX,
        attachments=(Attachment("invite.pdf", "application/pdf", b"%PDF-1.7"),),
    )
    await graph.gateway.send_mail("mts.admin", mail)
    sends = [r for r in await graph.requests() if r.path.endswith("/sendMail")]
    assert len(sends) == 1
    message = sends[0].body["Message"]
    assert [r["emailAddress"]["address"] for r in message["replyTo"]] == [MAILBOX]
    assert message["attachments"][0]["name"] == "invite.pdf"
    assert message["attachments"][0]["@odata.type"] == "#microsoft.graph.fileAttachment"
    assert sends[0].body["SaveToSentItems"] is True


async def test_several_letters_for_one_conference_travel_in_one_batch(graph: Harness) -> None:
    mails = [
        OutgoingMail(to=(SOCIAL_WORKER,), subject=f"Letter {n}", html_body="<p>x</p>")
        for n in range(3)
    ]
    assert await graph.gateway.send_mails("mts.admin", mails) == [202, 202, 202]
    batches = [r for r in await graph.requests() if r.path == "/$batch"]
    assert len(batches) == 1
    items = batches[0].body["requests"]
    assert [i["method"] for i in items] == ["POST"] * 3
    assert all(i["url"].endswith("/sendMail") and i["url"].startswith("/users/") for i in items)
    assert [i["body"]["Message"]["subject"] for i in items] == ["Letter 0", "Letter 1", "Letter 2"]


async def test_restricted_attachment_is_never_sent_by_email(graph: Harness) -> None:
    mail = OutgoingMail(
        to=(SOCIAL_WORKER,),
        subject="Reports",
        html_body="<p>Reports attached.</p>",
        attachments=(Attachment("police.pdf", "application/pdf", b"%PDF", restricted=True),),
    )
    with pytest.raises(RestrictedAttachmentError):
        await graph.gateway.send_mail("mts.admin", mail)
    assert not [r for r in await graph.requests() if r.path.endswith("/sendMail")]


async def test_get_schedule_returns_busy_slots_for_each_chair(graph: Harness) -> None:
    await graph.gateway.create_meeting(conference_meeting())
    schedule = await graph.gateway.get_schedule(
        ORGANISER, [ORGANISER, SECOND_CHAIR], START - timedelta(hours=1), START + timedelta(hours=3)
    )
    assert set(schedule) == {ORGANISER, SECOND_CHAIR}
    assert schedule[SECOND_CHAIR] == []
    assert len(schedule[ORGANISER]) == 1
    assert schedule[ORGANISER][0].start == START
    assert schedule[ORGANISER][0].status == "busy"


async def test_upload_file_returns_the_files_web_url(graph: Harness) -> None:
    url = await graph.gateway.upload_file(
        MINUTE_TAKER, "Minutes/2026", "CP-2026-00001 minutes.docx", b"hello"
    )
    assert url.endswith("CP-2026-00001%20minutes.docx")
    puts = [r for r in await graph.requests() if r.method == "PUT"]
    assert len(puts) == 1
    assert "Minutes/2026/CP-2026-00001 minutes.docx" in puts[0].path


async def test_subscription_can_be_created_renewed_and_deleted(graph: Harness) -> None:
    expires = datetime.now(UTC) + timedelta(days=2)
    sub = await graph.gateway.create_subscription(
        MAILBOX, graph.notification_url, "secretClientValue", expires
    )
    assert sub.id
    assert sub.client_state == "secretClientValue"
    assert "messages" in sub.resource
    later = datetime.now(UTC) + timedelta(days=6)
    renewed = await graph.gateway.renew_subscription(sub.id, later)
    assert renewed.expires_at > sub.expires_at - timedelta(days=1)
    await graph.gateway.delete_subscription(sub.id)
    assert any(r.method == "DELETE" for r in await graph.requests())


async def test_attendance_report_is_none_until_the_meeting_has_ended(graph: Harness) -> None:
    ref = await graph.gateway.create_meeting(conference_meeting())
    assert await graph.gateway.attendance_report(ORGANISER, ref.join_url) is None


async def test_attendance_report_gives_each_persons_times_in_the_meeting(graph: Harness) -> None:
    ref = await graph.gateway.create_meeting(conference_meeting())
    await graph.given_meeting_ended(ref.join_url)
    report = await graph.gateway.attendance_report(ORGANISER, ref.join_url)
    assert report is not None
    assert report.start == datetime(2026, 12, 1, 10, 0, 35, 931341, tzinfo=UTC)
    assert report.end is not None and report.end.hour == 11
    people = {r.name: r for r in report.records}
    assert set(people) == {"Rowan Amberley", "Femi Okafor", "Alex Sample (Guest)"}
    worker = people["Femi Okafor"]
    assert worker.email == SOCIAL_WORKER and worker.seconds == 6945
    assert worker.spans[0].joined == datetime(2026, 12, 1, 10, 2, 10, 123456, tzinfo=UTC)
    guest = people["Alex Sample (Guest)"]
    assert guest.email == ""  # let in from the lobby: Graph has no address for them
    assert [s.joined.minute for s in guest.spans] == [41, 20]  # left and came back
    assert guest.seconds == 3300
    reads = [r for r in await graph.requests() if "attendanceReports" in r.path]
    assert len(reads) == 2  # the list, then the latest report with its records expanded


async def test_attendance_report_reads_the_latest_session_when_there_are_several(
    graph: Harness,
) -> None:
    ref = await graph.gateway.create_meeting(conference_meeting())
    await graph.given_meeting_ended(ref.join_url)
    report = await graph.gateway.attendance_report(ORGANISER, ref.join_url)
    # The chair opened the meeting the day before to test it: that session has its own report.
    assert report is not None and report.start is not None
    assert report.start.date() == datetime(2026, 12, 1, tzinfo=UTC).date()
    assert len(report.records) == 3
