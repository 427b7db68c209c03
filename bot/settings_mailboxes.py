"""The request mailbox list: its shape, and the checks that refuse one that cannot work.

Pure validation: nothing here reads the environment. ``bot.settings`` does that, and
raises ``ConfigError`` with the first problem these checks find.
"""

from __future__ import annotations

import re
from collections.abc import Collection, Sequence

from pydantic import BaseModel, ConfigDict, Field

from bot.core.conference import ConferenceType
from bot.core.mailbox import RequestMailbox

# Enough to catch a typo or a display name pasted in; Graph is the judge of the rest.
_ADDRESS = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")


def is_address(text: str) -> bool:
    """Whether ``text`` looks like one email address (Graph is the judge of the rest)."""
    return _ADDRESS.match(text) is not None


class MailboxSettings(BaseModel):
    """One request mailbox, as written in ``CONFBOT_MAILBOXES``."""

    model_config = ConfigDict(extra="forbid")  # a misspelt "by_typ" must not vanish silently

    address: str
    playbook: str | None = None
    by_type: dict[str, str] = Field(default_factory=dict)

    def as_mailbox(self) -> RequestMailbox:
        """The core value the runtime routes requests with."""
        return RequestMailbox(
            address=self.address.strip(),
            playbook=(self.playbook or "").strip() or None,
            by_type=tuple((kind, name.strip()) for kind, name in self.by_type.items()),
        )


def mailbox_problem(mailboxes: Sequence[RequestMailbox], names: Sequence[str]) -> str | None:
    """Why the mailbox list cannot work, or None; ``names[n]`` is how mailbox ``n`` was set."""
    known_types = [kind.value for kind in ConferenceType]
    seen: dict[str, str] = {}
    for mailbox, name in zip(mailboxes, names, strict=True):
        if not _ADDRESS.match(mailbox.address):
            return f"{name}: {mailbox.address!r} is not an email address"
        first = seen.setdefault(mailbox.address.casefold(), name)
        if first != name:
            return f"{name}: {mailbox.address} is already set in {first}"
        for kind, _playbook in mailbox.by_type:
            if kind not in known_types:
                return (
                    f"{name}.by_type.{kind}: not a conference type "
                    f"(known: {', '.join(known_types)})"
                )
        if any(not playbook for _kind, playbook in mailbox.by_type):
            return f"{name}.by_type: a conference type has no playbook"
        if not mailbox.playbooks:
            return f"{name}: give it a playbook, or by_type, or both"
    return None


def playbook_problem(
    mailboxes: Sequence[RequestMailbox],
    known: Collection[str],
    names: Sequence[str] | None,
    list_var: str,
) -> str | None:
    """The first playbook a mailbox names that is not in ``known``, in one line, or None.

    ``names[n]`` is the setting that holds mailbox ``n``; without ``names`` it is
    ``list_var[n]``, an entry of the list variable (``CONFBOT_MAILBOXES``).
    """
    listed = ", ".join(sorted(known)) or "none"
    for n, mailbox in enumerate(mailboxes):
        base = names[n] if names is not None else f"{list_var}[{n}]"
        in_list = base.startswith(list_var)
        for kind, playbook in mailbox.by_type:
            if playbook not in known:
                return f"{base}.by_type.{kind}: no playbook {playbook!r} (known: {listed})"
        if mailbox.playbook is not None and mailbox.playbook not in known:
            name = f"{base}.playbook" if in_list else base
            return f"{name}: no playbook {mailbox.playbook!r} (known: {listed})"
    return None
