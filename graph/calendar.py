"""Calendar calls: the chair's Teams meeting, its options, and chairs' free/busy."""

from __future__ import annotations

import logging
from datetime import datetime

from msgraph.generated.models.event import Event
from msgraph.generated.models.lobby_bypass_scope import LobbyBypassScope
from msgraph.generated.models.lobby_bypass_settings import LobbyBypassSettings
from msgraph.generated.models.online_meeting import OnlineMeeting
from msgraph.generated.users.item.calendar.get_schedule.get_schedule_post_request_body import (
    GetSchedulePostRequestBody,
)
from msgraph.generated.users.item.online_meetings.online_meetings_request_builder import (
    OnlineMeetingsRequestBuilder,
)

from bot.core.meeting import Attendee, BusySlot, Meeting, MeetingOptions, MeetingRef, MeetingRequest
from graph import convert
from graph.calls import GatewayCalls
from graph.errors import NotFound, graph_call

logger = logging.getLogger(__name__)

_SCOPES = {
    "organizer": LobbyBypassScope.Organizer,
    "organization": LobbyBypassScope.Organization,
    "everyone": LobbyBypassScope.Everyone,
    "invited": LobbyBypassScope.Invited,
    "organizationAndFederated": LobbyBypassScope.OrganizationAndFederated,
}


class CalendarCalls(GatewayCalls):
    """Create, change, read and cancel the chair's Teams meeting; read free/busy."""

    @graph_call
    async def create_meeting(self, request: MeetingRequest) -> MeetingRef:
        """Create the Teams meeting in the organiser's calendar; retries never duplicate it."""
        event = await self._client.users.by_user_id(request.organiser).events.post(
            convert.event_for(request)
        )
        logger.info("meeting created", extra={"transaction_id": request.transaction_id})
        return convert.meeting_ref(event)

    @graph_call
    async def update_attendees(
        self, organiser: str, event_id: str, attendees: tuple[Attendee, ...]
    ) -> None:
        """Replace the attendee list; Outlook then sends updates to the changed people only."""
        # A PATCH carrying only attendees is what limits the update mail to those changed.
        body = Event(attendees=convert.graph_attendees(attendees))
        await self._client.users.by_user_id(organiser).events.by_event_id(event_id).patch(body)

    @graph_call
    async def cancel_meeting(self, organiser: str, event_id: str, comment: str = "") -> None:
        """Cancel the meeting, sending the cancellation to every attendee."""
        from msgraph.generated.users.item.events.item.cancel.cancel_post_request_body import (
            CancelPostRequestBody,
        )

        item = self._client.users.by_user_id(organiser).events.by_event_id(event_id)
        await item.cancel.post(CancelPostRequestBody(comment=comment or None))

    @graph_call
    async def get_meeting(self, organiser: str, event_id: str) -> Meeting:
        """The meeting as it stands now."""
        event = await self._client.users.by_user_id(organiser).events.by_event_id(event_id).get()
        if event is None:
            raise NotFound("no such event", status=404)
        return convert.meeting_from(event, organiser)

    @graph_call
    async def set_meeting_options(
        self, organiser: str, join_url: str, options: MeetingOptions
    ) -> None:
        """Set lobby bypass, dial-in bypass and recording on the meeting behind ``join_url``."""
        meetings = self._client.users.by_user_id(organiser).online_meetings
        meeting_id = await self._online_meeting_id(organiser, join_url)
        patch = OnlineMeeting(
            lobby_bypass_settings=LobbyBypassSettings(
                scope=_SCOPES[options.lobby_bypass],
                is_dial_in_bypass_enabled=options.dial_in_bypass_lobby,
            ),
            allow_recording=options.allow_recording,
        )
        await meetings.by_online_meeting_id(meeting_id).patch(patch)

    async def _online_meeting_id(self, organiser: str, join_url: str) -> str:
        """The id of the organiser's online meeting behind ``join_url`` (Graph's only filter)."""
        meetings = self._client.users.by_user_id(organiser).online_meetings
        query = OnlineMeetingsRequestBuilder.OnlineMeetingsRequestBuilderGetQueryParameters(
            filter=f"JoinWebUrl eq '{join_url.replace(chr(39), chr(39) * 2)}'"
        )
        found = await meetings.get(self._config(query))
        if found is None or not found.value:
            raise NotFound("no online meeting has that join URL", status=404)
        return str(found.value[0].id)

    @graph_call
    async def get_schedule(
        self, organiser: str, chairs: list[str], start: datetime, end: datetime
    ) -> dict[str, list[BusySlot]]:
        """Each chair's busy spans between ``start`` and ``end`` (UTC)."""
        body = GetSchedulePostRequestBody(
            schedules=list(chairs),
            start_time=convert.to_graph_time(start),
            end_time=convert.to_graph_time(end),
            availability_view_interval=30,
        )
        answer = await self._client.users.by_user_id(organiser).calendar.get_schedule.post(
            body, self._config(prefer=('outlook.timezone="UTC"',))
        )
        result: dict[str, list[BusySlot]] = {chair: [] for chair in chairs}
        for info in (answer.value if answer else None) or []:
            slots = [
                BusySlot(
                    start=convert.from_graph_time(item.start),
                    end=convert.from_graph_time(item.end),
                    status=str(item.status.value) if item.status else "busy",
                )
                for item in info.schedule_items or []
                if item.status is None or str(item.status.value) != "free"
            ]
            result[str(info.schedule_id)] = slots
        return result
