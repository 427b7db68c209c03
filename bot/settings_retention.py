"""The retention section: how long each kind of record is kept before the daily purge.

The README's "Retention" table gives the reason for each default. Every period is ISO 8601
(``P365D``); none may be shorter than a day, so a typo cannot empty the store.
"""

from __future__ import annotations

from datetime import timedelta
from typing import Annotated

from pydantic import AfterValidator, BaseModel, Field

from bot import settings_checks as checks
from bot.core.retention import RecordKind, RetentionPolicy

DAY = timedelta(days=1)
TEN_YEARS = timedelta(days=3653)
Period = Annotated[timedelta, AfterValidator(lambda value: checks.within(value, DAY, TEN_YEARS))]


class RetentionSettings(BaseModel):
    """How long each kind of record is kept (ISO 8601 periods, from P1D to P3653D)."""

    request_email: Period = Field(
        timedelta(days=30),
        description="Request email bodies and subjects, after the email became a conference or "
        "its triage item was resolved (P30D).",
    )
    triage_item: Period = Field(
        timedelta(days=90),
        description="Resolved triage items, with what was read from the email (P90D).",
    )
    conference: Period = Field(
        timedelta(days=365),
        description="Concluded or cancelled conferences: people, children, timeline, consent, "
        "documents and message records (P365D). Never while a follow-up is open or a legal "
        "hold stands.",
    )
    outbox: Period = Field(
        timedelta(days=365),
        description="Records of messages sent that belong to no conference (P365D); a "
        "conference's own go with it.",
    )
    web_session: Period = Field(timedelta(days=1), description="Expired web sessions (P1D).")
    sign_in_code: Period = Field(
        timedelta(days=1), description="Used or expired one-time sign-in codes (P1D)."
    )
    view_audit: Period = Field(
        timedelta(days=730),
        description="The record of who viewed each conference (P730D): longer than the "
        "conferences it audits, so a complaint about access can still be answered.",
    )
    purge_daily: bool = Field(
        True,
        description="Purge what is due once a day (on the leader only). false: only "
        "`confbot retention --dry-run` and the purge command act.",
    )

    def policy(self) -> RetentionPolicy:
        """The periods as the store's purge takes them."""
        return RetentionPolicy({kind: getattr(self, kind.value) for kind in RecordKind})
