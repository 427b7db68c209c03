"""The outward ports the runtime uses. bot.app hands in the real adapters."""

from __future__ import annotations

from collections.abc import Awaitable, Sequence
from datetime import datetime
from typing import Protocol

from bot.core.mailbox import DeltaResult, OutgoingMail, Subscription
from bot.core.meeting import (
    AttendanceReport,
    Attendee,
    BusySlot,
    MeetingOptions,
    MeetingRef,
    MeetingRequest,
)


class GraphPort(Protocol):
    """The Microsoft Graph calls the runtime makes (graph.gateway.GraphGateway has them).

    Declared as returning awaitables: the gateway's methods are wrapped by its error edge.
    """

    def create_meeting(self, request: MeetingRequest) -> Awaitable[MeetingRef]:
        """Create the Teams meeting in the organiser's calendar."""

    def update_attendees(
        self, organiser: str, event_id: str, attendees: tuple[Attendee, ...]
    ) -> Awaitable[None]:
        """Replace the meeting's attendees."""

    def cancel_meeting(self, organiser: str, event_id: str, comment: str = "") -> Awaitable[None]:
        """Cancel the meeting."""

    def set_meeting_options(
        self, organiser: str, join_url: str, options: MeetingOptions
    ) -> Awaitable[None]:
        """Set lobby, dial-in and recording options."""

    def attendance_report(
        self, organiser: str, join_url: str
    ) -> Awaitable[AttendanceReport | None]:
        """Who joined the meeting, once it has ended; None while Graph has no report yet."""

    def send_mail(self, sender_mailbox: str, mail: OutgoingMail) -> Awaitable[None]:
        """Send a message from a mailbox."""

    def send_mails(
        self, sender_mailbox: str, mails: Sequence[OutgoingMail]
    ) -> Awaitable[list[int]]:
        """Send several mails in one $batch; each one's HTTP status, in order."""

    def find_sent(self, sender_mailbox: str, key: str, since: datetime) -> Awaitable[bool]:
        """Whether the mailbox's Drafts or Sent Items hold a message with outbox ``key``."""

    def get_schedule(
        self, organiser: str, chairs: list[str], start: datetime, end: datetime
    ) -> Awaitable[dict[str, list[BusySlot]]]:
        """Busy spans per chair."""

    def read_inbox_delta(self, mailbox: str, delta_link: str | None) -> Awaitable[DeltaResult]:
        """New and removed messages since the delta link."""

    def mark_processed(
        self,
        mailbox: str,
        message_id: str,
        *,
        category: str = ...,
        folder: str | None = None,
        known_categories: Sequence[str] | None = None,
    ) -> Awaitable[str]:
        """Mark a request email as handled."""

    def create_subscription(
        self, mailbox: str, notification_url: str, client_state: str, expires_at: datetime
    ) -> Awaitable[Subscription]:
        """Ask Graph to notify us of new mail."""

    def renew_subscription(
        self, subscription_id: str, expires_at: datetime
    ) -> Awaitable[Subscription]:
        """Extend a subscription."""

    def upload_file(self, owner: str, folder: str, name: str, content: bytes) -> Awaitable[str]:
        """Put ``content`` at ``folder/name`` in ``owner``'s drive; returns its web URL."""
