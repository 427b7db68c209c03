"""The daily retention purge, a leader's duty: what is due goes, logged by kind and count only."""

from __future__ import annotations

import asyncio
import logging
from datetime import timedelta

from bot.core.retention import PurgeReport, RetentionPolicy
from bot.store.retention import RetentionStore

logger = logging.getLogger(__name__)

EVERY = timedelta(days=1)
RETRY_AFTER = timedelta(hours=1)  # a purge that failed (the store was busy) tries again soon


def log_report(report: PurgeReport, *, dry_run: bool) -> None:
    """One log line per kind: its count, never a record's content or a person's name."""
    verb = "would purge" if dry_run else "purged"
    for kind, count in report.counts.items():
        logger.info("retention %s %d %s", verb, count, kind.value, extra={"kind": kind.value})
    if report.held or report.following_up:
        logger.info(
            "retention kept %d held and %d following-up conferences past their time",
            report.held,
            report.following_up,
        )


class RetentionPurge:
    """Purges what the policy says is due, once a day, on the leader only."""

    def __init__(
        self,
        store: RetentionStore,
        policy: RetentionPolicy,
        every: timedelta = EVERY,
        retry_after: timedelta = RETRY_AFTER,
    ) -> None:
        self.store = store
        self.policy = policy
        self.every = every
        self.retry_after = retry_after

    def purge_now(self) -> PurgeReport:
        """One purge, logged."""
        report = self.store.purge(self.policy)
        log_report(report, dry_run=False)
        return report

    async def run(self) -> None:
        """Purge now and then every day, for as long as this replica leads."""
        while True:
            wait = self.every
            try:
                await asyncio.to_thread(self.purge_now)
            except Exception:  # a failed purge must not end the leader's other duties
                logger.exception("retention purge failed; it will try again")
                wait = self.retry_after
            await asyncio.sleep(wait.total_seconds())
