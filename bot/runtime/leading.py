"""What only the leader does: run due jobs, sweep the mailbox, keep the subscription alive.

Every replica serves the web app, the bot and the webhook, and any replica may schedule a
job (it is written to the shared job store). Only the elected leader runs them.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import Callable, Coroutine
from datetime import timedelta
from typing import Any

from bot.runtime.durable import DurableScheduler
from bot.runtime.jobs import JobDispatcher
from bot.store.leader import Leadership

logger = logging.getLogger(__name__)

CHECK_EVERY = timedelta(seconds=5)  # a dead leader is replaced well within 30 s


class LeaderDuties:
    """Tries for the lead; while leading, runs the scheduler and the background tasks."""

    def __init__(
        self,
        leadership: Leadership,
        scheduler: DurableScheduler,
        runner: JobDispatcher,
        grace: timedelta,
        duties: list[tuple[str, Callable[[], Coroutine[Any, Any, None]]]],
    ) -> None:
        self.leadership = leadership
        self.scheduler = scheduler
        self.runner = runner
        self.grace = grace
        self.duties = duties
        self.leading = False
        self.became_leader = asyncio.Event()
        self._tasks: list[asyncio.Task[None]] = []

    async def run(self) -> None:
        """Contend for the lead for as long as the service runs."""
        self.scheduler.start(self.runner.run, on_missed=self.runner.missed, paused=True)
        try:
            while True:
                await self._check()
                await asyncio.sleep(CHECK_EVERY.total_seconds())
        finally:
            await self._step_down()
            self.scheduler.shutdown()
            await asyncio.to_thread(self.leadership.release)

    async def _check(self) -> None:
        if not self.leading:
            if await asyncio.to_thread(self.leadership.try_acquire):
                await self._take_over()
        elif not await asyncio.to_thread(self.leadership.still_held):
            logger.warning("lost the lead; standing down")
            await self._step_down()
        else:
            # Jobs another replica added reach our scheduler's store but not its timer.
            self.scheduler.wakeup()

    async def _take_over(self) -> None:
        logger.info("this replica now leads")
        self.leading = True
        ran = await self.runner.reconcile(self.grace)
        if ran:
            logger.info("ran %d job(s) found due on taking the lead", ran)
        self.scheduler.resume()
        self._tasks = [asyncio.create_task(make(), name=name) for name, make in self.duties]
        self.became_leader.set()

    async def _step_down(self) -> None:
        if not self.leading:
            return
        self.leading = False
        self.became_leader.clear()
        self.scheduler.pause()
        for task in self._tasks:
            task.cancel()
        for task in self._tasks:
            with contextlib.suppress(asyncio.CancelledError):
                await task
        self._tasks = []
