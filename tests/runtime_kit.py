"""Builds a Runtime for tests the way bot.app does, over a real store and any Graph port."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from datetime import UTC, datetime
from typing import Any, cast

from bot.core.mailbox import RequestMailbox
from bot.core.playbook.model import Playbook
from bot.runtime.context import People, Runtime
from bot.runtime.outbox import Outbox
from bot.runtime.playbooks import PlaybookRegistry
from bot.runtime.ports import GraphPort
from bot.runtime.scheduler import JobScheduler
from bot.store.outbox import OutboxRecords
from bot.store.repository import Repository


def make_runtime(
    repository: Repository,
    graph: object,
    scheduler: JobScheduler,
    playbooks: Mapping[str, Playbook],
    *,
    mailbox: str = "cp.requests@example.org",
    chairs: tuple[str, ...] = (),
    minute_takers: tuple[str, ...] = (),
    clock: Callable[[], datetime] | None = None,
) -> Runtime:
    """A Runtime over ``repository``; ``graph`` need only have the calls the test makes."""
    registry = PlaybookRegistry.of(playbooks)
    port = cast(GraphPort, cast(Any, graph))
    return Runtime(
        store=repository,
        graph=port,
        scheduler=scheduler,
        playbooks=registry,
        outbox=Outbox(port, OutboxRecords(repository.db), registry.for_conference, mailbox),
        mailboxes=(RequestMailbox(mailbox, next(iter(playbooks), None)),),
        people=People(chairs, minute_takers),
        clock=clock or (lambda: datetime.now(UTC)),
    )
