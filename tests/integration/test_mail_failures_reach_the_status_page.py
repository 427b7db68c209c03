"""Every email that fails, or is being retried, is on its conference's timeline and on the
status page's failed actions, with its recipients in words; one that goes in the end leaves
the list.

confbot runs in process on its embedded sandbox, which injects the faults into ``sendMail``.
"""

from __future__ import annotations

import contextlib
import re
from pathlib import Path
from typing import Any

from tests.integration.runtime_harness import (
    PARENT_EMAIL,
    SOCIAL_WORKER,
    Running,
    preset_body,
    running,
    settings_for,
    working_days_ahead,
)
from tests.integration.test_mail_exactly_once import faults, no_faults, sweep_until_done

ADDRESS = re.compile(r"[\w.+-]+@[\w-]+\.[\w.-]+")


async def failed_actions(bot: Running) -> str:
    """The overview page's "Failed actions" section, as an admin sees it."""
    async with bot.http.get(f"{bot.base}/", headers=bot.headers()) as response:
        assert response.status == 200, await response.text()
        page = await response.text()
    section = page.split('id="failed-h"', 1)[1].split("</section>", 1)[0]
    return re.sub(r"\s+", " ", section)


def email_lines(bot: Running) -> list[tuple[str, dict[str, Any]]]:
    """(kind, detail) of every email line on the one conference's timeline, oldest first."""
    [conference] = bot.services.repository.list_conferences()
    return [
        (entry.kind, dict(entry.detail))
        for entry in bot.services.repository.timeline(conference.id)
        if (entry.step_id or "").startswith("email:")
    ]


async def test_an_email_graph_refuses_is_a_failed_action_naming_its_recipient_in_words(
    tmp_path: Path,
) -> None:
    async with running(settings_for(tmp_path, self_booking=True)) as bot:
        # Graph refuses the first sendMail outright (a 400), so it is certainly not sent.
        await faults(bot, rate=1.0, statuses=[400], limit=1, path="/sendMail$")
        await bot.mail(preset_body(working_days_ahead(6)))
        await sweep_until_done(bot)
        await no_faults(bot)
        [(_kind, detail)] = [line for line in email_lines(bot) if line[0] == "failed"]
        words = str(detail["words"])
        assert re.fullmatch(r"Email to [A-Z][\w ,]+ not sent: Graph answered 400", words), words
        listed = await failed_actions(bot)
        assert words in listed and "No failed actions." not in listed
        for address in (PARENT_EMAIL, SOCIAL_WORKER):
            assert address not in listed and address not in words
        assert not ADDRESS.search(words)


async def test_an_email_retried_until_it_goes_is_on_the_timeline_and_leaves_the_status_page(
    tmp_path: Path,
) -> None:
    async with running(settings_for(tmp_path, self_booking=True)) as bot:
        # The first sendMail meets a 503 before any work is done; the retry goes.
        await faults(bot, rate=1.0, statuses=[503], retry_after=0, limit=1, path="/sendMail$")
        await bot.mail(preset_body(working_days_ahead(6)))
        await sweep_until_done(bot)
        await no_faults(bot)
        lines = email_lines(bot)
        retries = [detail for kind, detail in lines if kind == "email_retry"]
        assert len(retries) == 1, lines
        assert re.fullmatch(
            r"Email to [A-Z][\w ,]+ failed \(Graph answered 503\); trying again after "
            r"checking Sent Items",
            str(retries[0]["words"]),
        ), retries
        assert any(kind == "sent" and "sent at attempt 2" in str(d["words"]) for kind, d in lines)
        assert "No failed actions." in await failed_actions(bot)


async def test_an_email_that_fails_at_every_attempt_is_listed_once_until_a_replay_sends_it(
    tmp_path: Path,
) -> None:
    async with running(settings_for(tmp_path, self_booking=True)) as bot:
        # Every sendMail answers 503 (the $batch item and each retry alone).
        await faults(bot, rate=1.0, statuses=[503], retry_after=0, path="/sendMail$")
        await bot.mail(preset_body(working_days_ahead(6)))
        sweep = bot.services.sweep
        assert sweep is not None
        with contextlib.suppress(Exception):
            await sweep.sweep()  # the request is booked; its emails do not go
        lines = email_lines(bot)
        failed = {str(d["purpose"]): str(d["words"]) for kind, d in lines if kind == "failed"}
        assert failed, lines
        listed = await failed_actions(bot)
        for purpose, words in failed.items():
            # Several lines on the timeline (each retry, then the failure), one on the page.
            assert sum(d.get("purpose") == purpose for _k, d in lines) > 1, lines
            assert listed.count(words) == 1, listed
        await no_faults(bot)
        await sweep_until_done(bot)  # the replay sends what did not go
        assert "No failed actions." in await failed_actions(bot)
