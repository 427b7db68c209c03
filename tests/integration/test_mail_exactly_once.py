"""Each email leaves once, whatever Graph answers: counted from the sandbox's Sent Items.

These run confbot in process on its embedded sandbox, inject faults into the sandbox's
``sendMail`` (inside a ``$batch`` or on its own), and count every copy in the request
mailbox's Sent Items by subject and recipient: the copy Graph keeps of each send.
"""

from __future__ import annotations

import contextlib
from collections import Counter
from pathlib import Path
from typing import Any

from bot.core.conference import ConferenceState
from tests.integration.runtime_harness import (
    MAILBOX,
    PARENT_EMAIL,
    SOCIAL_WORKER,
    Running,
    preset_body,
    request_body,
    running,
    settings_for,
    working_days_ahead,
)


async def faults(bot: Running, **rule: Any) -> None:
    """Ask the sandbox to inject ``rule`` into matching requests."""
    async with bot.http.post(f"{bot.sandbox}/_sandbox/faults", json=rule) as response:
        assert response.status == 200, await response.text()


async def no_faults(bot: Running) -> None:
    """Stop injecting faults."""
    async with bot.http.delete(f"{bot.sandbox}/_sandbox/faults"):
        pass


async def sent_items(bot: Running) -> Counter[tuple[str, str]]:
    """Every copy in the request mailbox's Sent Items, by (subject, recipient)."""
    sent: Counter[tuple[str, str]] = Counter()
    for message in await bot.mailbox(MAILBOX):
        if message["folder"] != "sentitems":
            continue
        for address in (*message["to"], *message.get("cc", [])):
            sent[(message["subject"], address)] += 1
    return sent


def repeats(sent: Counter[tuple[str, str]]) -> dict[tuple[str, str], int]:
    """The (subject, recipient) pairs sent more than once."""
    return {key: n for key, n in sent.items() if n > 1}


async def sweep_until_done(bot: Running, rounds: int = 6) -> None:
    """Sweep as the service would after each failure, until a sweep succeeds."""
    sweep = bot.services.sweep
    assert sweep is not None
    for _ in range(rounds):
        with contextlib.suppress(Exception):
            await sweep.sweep()
            return
    raise AssertionError("the sweep never succeeded")


async def test_an_email_whose_reply_is_lost_inside_a_batch_is_not_sent_again(
    tmp_path: Path,
) -> None:
    async with running(settings_for(tmp_path, self_booking=True)) as bot:
        # The first sendMail in the $batch is sent, but its answer is lost (a 503 after the
        # work): the acknowledgement and the parent letter travel in that one $batch.
        await faults(
            bot, rate=1.0, statuses=[503], retry_after=0, limit=1, phase="after", path="/sendMail$"
        )
        await bot.mail(preset_body(working_days_ahead(6)))
        await sweep_until_done(bot)
        await no_faults(bot)
        await sweep_until_done(bot)  # the replay, as after a restart
        [conference] = bot.services.repository.list_conferences()
        assert conference.state is ConferenceState.SCHEDULED
        sent = await sent_items(bot)
        assert repeats(sent) == {}, sent
        assert any(address == PARENT_EMAIL for _subject, address in sent), sent
        assert any(address == SOCIAL_WORKER for _subject, address in sent), sent


async def test_a_single_send_whose_reply_is_lost_goes_once(tmp_path: Path) -> None:
    async with running(settings_for(tmp_path)) as bot:
        # A request without a preset: the acknowledgement is the only email, sent alone.
        await faults(
            bot, rate=1.0, statuses=[503], retry_after=0, limit=1, phase="after", path="/sendMail$"
        )
        await bot.mail(request_body())
        await sweep_until_done(bot)
        await no_faults(bot)
        await sweep_until_done(bot)
        sent = await sent_items(bot)
        assert [n for (_s, address), n in sent.items() if address == SOCIAL_WORKER] == [1], sent
