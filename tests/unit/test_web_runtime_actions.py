"""The pages' actions adapter: it passes the approver's role on, and refusals read plainly."""

from __future__ import annotations

from typing import Any, cast

import pytest

from bot.runtime.conferences import ActionRefused as RuntimeRefused
from bot.web.actions import ActionRefused
from bot.web.runtime_actions import RuntimeActions


async def test_distribution_approval_passes_the_user_and_role_to_aftercare() -> None:
    seen: list[tuple[int, str, str]] = []

    async def approve(cid: int, user: str, role: str) -> object:
        seen.append((cid, user, role))
        return {"state": "queued"}

    actions = RuntimeActions(cast(Any, None), cast(Any, None), approve=approve)
    await actions.approve_distribution(7, "minutes", "admin.two", "admin")
    assert seen == [(7, "admin.two", "admin")]


async def test_a_refusal_from_the_runtime_reaches_the_page_in_its_own_words() -> None:
    async def approve(cid: int, user: str, role: str) -> object:
        raise RuntimeRefused("a different admin must check the distribution list")

    actions = RuntimeActions(cast(Any, None), cast(Any, None), approve=approve)
    with pytest.raises(ActionRefused, match="a different admin"):
        await actions.approve_distribution(7, "minutes", "admin.one", "admin")


async def test_without_aftercare_nothing_is_waiting_for_approval() -> None:
    actions = RuntimeActions(cast(Any, None), cast(Any, None))
    with pytest.raises(ActionRefused, match="No distribution list"):
        await actions.approve_distribution(7, "minutes", "admin.one", "admin")
