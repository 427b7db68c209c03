"""Prompts reach the chair: each channel is tried for each prompt, and a failure is retried.

A prompt that a channel (Teams) could not deliver goes on the conference's timeline, and so
on the status page's failed actions, and a durable job tries that prompt again after a
short wait, with longer waits after: a restart or a leader handover keeps the retry. When
it gets through, a "sent" line closes the failed action; after the last try it stays a
failed action, and the chair console (which cannot fail) still shows the prompt.

A chair Teams cannot reach at all (never installed the app) is not retried here: the
console shows every prompt, and reaching such a chair is the chair-prompt fallback's job.
"""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable, Sequence
from datetime import timedelta

from bot.core.cards import PROMPT_FAILED_KIND
from bot.core.conference import Conference
from bot.core.runsheet.model import Prompt
from bot.runtime.context import SYSTEM, Runtime
from bot.runtime.prompt_channel import ChairUnreachable, PromptChannel, PromptChannelError
from bot.runtime.scheduler import Job

logger = logging.getLogger(__name__)

PROMPT_RETRY_ACTION = "prompt_retry"  # step_id: "<prompt id>#<attempt>"
# The waits before each retry; a prompt matters for minutes, so the last is soon too.
RETRY_WAITS: tuple[timedelta, ...] = (
    timedelta(seconds=10),
    timedelta(seconds=30),
    timedelta(minutes=1),
    timedelta(minutes=2),
)
STEP_PREFIX = "prompt:"  # timeline step ids of a prompt's delivery lines


def retry_step(prompt_id: str, attempt: int) -> str:
    """The retry job's step id: the prompt and which retry this is (1 for the first)."""
    return f"{prompt_id}#{attempt}"


def parse_retry_step(step_id: str) -> tuple[str, int]:
    """(prompt id, attempt) from a retry job's step id."""
    prompt_id, _, attempt = step_id.rpartition("#")
    return prompt_id, int(attempt)


def _what(prompt: Prompt) -> str:
    """The prompt in words, without the party's name: "the consent prompt"."""
    return f"the {prompt.kind.value.replace('_', ' ')} prompt"


class PromptDelivery:
    """Hands prompts to every channel, one by one, recording and retrying each failure."""

    def __init__(self, runtime: Runtime) -> None:
        self.rt = runtime

    async def deliver(
        self,
        conference: Conference,
        channels: Sequence[PromptChannel],
        new: Sequence[Prompt],
        closed: Sequence[Prompt],
        attempt: int = 0,
    ) -> None:
        """Show ``new`` prompts and ``closed`` (now answered) ones in every channel."""
        chair = conference.chair or ""
        for channel in channels:
            for prompt in new:
                await self._one(conference, prompt, attempt, channel.send_prompt, chair)
            for prompt in closed:
                await self._one(conference, prompt, attempt, channel.mark_answered, chair)

    async def _one(
        self,
        conference: Conference,
        prompt: Prompt,
        attempt: int,
        send: Callable[[int, str, Prompt], Awaitable[None]],
        chair: str,
    ) -> None:
        try:
            await send(conference.id, chair, prompt)
        except ChairUnreachable as err:
            logger.warning(
                "prompt not delivered: %s",
                err.reason,
                extra={"conference_id": conference.id, "step_id": err.prompt_id},
            )
            return
        except PromptChannelError as err:
            self._failed(conference, prompt, err.reason, attempt)
            return
        except Exception as err:  # one broken channel must not silence the others
            logger.exception("prompt channel failed", extra={"conference_id": conference.id})
            self._failed(conference, prompt, type(err).__name__, attempt)
            return
        if attempt:
            self.rt.record(
                conference.id,
                SYSTEM,
                "sent",
                step_id=f"{STEP_PREFIX}{prompt.id}",
                words=f"{_what(prompt).capitalize()} reached the chair at retry {attempt}",
                attempt=attempt,
            )

    def _failed(self, conference: Conference, prompt: Prompt, reason: str, attempt: int) -> None:
        what = _what(prompt) if prompt.is_open else f"the answer to {_what(prompt)}"
        step = f"{STEP_PREFIX}{prompt.id}"
        if attempt >= len(RETRY_WAITS):
            words = (
                f"{what.capitalize()} did not reach the chair in Teams after {attempt + 1} "
                f"tries ({reason}); the chair console shows it"
            )
            self.rt.record(conference.id, SYSTEM, "failed", step_id=step, reason=words)
            return
        wait = RETRY_WAITS[attempt]
        words = (
            f"{what.capitalize()} did not reach the chair in Teams ({reason}); "
            f"trying again in {int(wait.total_seconds())} seconds"
        )
        self.rt.record(
            conference.id,
            SYSTEM,
            PROMPT_FAILED_KIND,
            step_id=step,
            reason=words,
            attempt=attempt + 1,
        )
        when = self.rt.clock() + wait
        self.rt.scheduler.add(
            Job(when, conference.id, retry_step(prompt.id, attempt + 1), PROMPT_RETRY_ACTION)
        )
