"""A Teams meeting is matched to its conference by the chat thread in its join URL."""

from __future__ import annotations

from bot.teams.lookup import JoinUrlLookup, meeting_thread_id

URL = "https://teams.microsoft.com/l/meetup-join/19%3ameeting_ZmljdGlvbmFs%40thread.v2/0?context=%7b%7d"
THREAD = "19:meeting_zmljdglvbmfs@thread.v2"


def test_thread_id_is_read_from_an_encoded_join_url() -> None:
    assert meeting_thread_id(URL) == THREAD
    assert meeting_thread_id("a:personal-chat") is None
    assert meeting_thread_id(None) is None


async def test_meeting_event_finds_its_conference_by_join_url_or_chat_id() -> None:
    lookup = JoinUrlLookup(lambda: [(1, None), (2, "https://example.invalid/other"), (3, URL)])
    assert await lookup.conference_for_meeting(URL, "anything") == 3
    assert await lookup.conference_for_meeting(None, "19:meeting_ZmljdGlvbmFs@thread.v2") == 3
    assert await lookup.conference_for_meeting(None, "a:personal-chat") is None
