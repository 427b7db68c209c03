"""The web's one facade: refusals keep their words; Graph failures say "try again"; one mapping."""

from __future__ import annotations

from typing import Any, cast

import pytest

from bot.core.errors import ActionRefused, InvalidInput, NotCompleted, NotFound, RemoteServiceError
from bot.runtime.actions import RuntimeActions
from bot.web.actions import BadRequest, http_error


class FakeAftercare:
    def __init__(self, error: Exception | None = None) -> None:
        self.seen: list[tuple[int, str, str]] = []
        self.error = error

    async def approve_distribution(self, cid: int, *, user: str, role: str) -> dict[str, Any]:
        self.seen.append((cid, user, role))
        if self.error is not None:
            raise self.error
        return {"state": "queued"}


def actions(aftercare: FakeAftercare) -> RuntimeActions:
    return RuntimeActions(cast(Any, None), cast(Any, None), cast(Any, aftercare))


async def test_distribution_approval_passes_the_user_and_role_to_aftercare() -> None:
    aftercare = FakeAftercare()
    assert await actions(aftercare).approve_distribution(7, "minutes", "admin.two", "admin") == {
        "state": "queued"
    }
    assert aftercare.seen == [(7, "admin.two", "admin")]


async def test_a_refusal_from_the_runtime_reaches_the_page_in_its_own_words() -> None:
    aftercare = FakeAftercare(ActionRefused("a different admin must check the distribution list"))
    with pytest.raises(ActionRefused, match="a different admin"):
        await actions(aftercare).approve_distribution(7, "minutes", "admin.one", "admin")


async def test_a_graph_failure_becomes_a_retryable_refusal_that_says_nothing_was_lost() -> None:
    aftercare = FakeAftercare(RemoteServiceError("throttled"))
    with pytest.raises(NotCompleted, match="Nothing was lost"):
        await actions(aftercare).approve_distribution(7, "minutes", "admin.one", "admin")


@pytest.mark.parametrize(
    ("error", "status"),
    [
        (ActionRefused("the minutes have not been drafted yet"), 409),
        (NotCompleted(), 503),
        (RemoteServiceError("down"), 503),
        (NotFound("conference", 9), 404),
        (BadRequest("'start' is required"), 400),
        (InvalidInput("decisions: bad category"), 400),
    ],
)
def test_each_error_maps_to_one_http_status_for_pages_and_api_alike(
    error: Exception, status: int
) -> None:
    answer = http_error(error)
    assert answer is not None and answer[0] == status


def test_an_unexpected_error_is_not_turned_into_an_answer() -> None:
    assert http_error(RuntimeError("bug")) is None
