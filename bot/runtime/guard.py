"""The one distribution guard every outgoing email passes before it reaches Graph."""

from __future__ import annotations

import logging
from collections.abc import Mapping, Sequence

from bot.core.conference import Conference, Role
from bot.core.mailbox import OutgoingMail
from bot.core.playbook.distribution import DistributionItem, distribution_allowed
from bot.core.playbook.model import Channel, Playbook

logger = logging.getLogger(__name__)


class DistributionRefused(Exception):
    """The guard stopped an email; the message says which rule, never who it was for."""


class DistributionGuard:
    """Checks recipients, attachments and links against the playbook and the fixed rules."""

    def __init__(self, playbook: Playbook) -> None:
        self.policy = playbook.distribution

    def check(
        self,
        conference: Conference,
        mail: OutgoingMail,
        roles: Mapping[str, Role],
        *,
        may_carry_link: bool,
        items: Sequence[DistributionItem] | None = None,
    ) -> None:
        """Raise DistributionRefused unless every recipient may receive this mail as it is."""
        recipients = (*mail.to, *mail.cc)
        unknown = [r for r in recipients if r not in roles]
        if unknown:
            raise DistributionRefused("every recipient must have a known role in the conference")
        described = (
            list(items)
            if items is not None
            else [DistributionItem(name=a.name, restricted=a.restricted) for a in mail.attachments]
        )
        if len(described) != len(mail.attachments):
            raise DistributionRefused("every attachment must be described to the guard")
        for item in described:
            for address in recipients:
                verdict = distribution_allowed(item, roles[address], Channel.EMAIL, self.policy)
                if not verdict.allowed:
                    raise DistributionRefused(f"{item.name}: {verdict.reason}")
        link = conference.join_url
        if link and link in mail.html_body:
            held = {p.email for p in conference.participants if p.held_back and p.email}
            if not may_carry_link or held & set(recipients):
                raise DistributionRefused(
                    "the meeting link may not go to someone held back from the meeting"
                )
