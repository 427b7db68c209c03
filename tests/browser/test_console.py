"""The chair console in headless Chromium: live prompts, answers recorded, other chairs refused."""

from __future__ import annotations

import asyncio
import threading
from collections.abc import Coroutine, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from aiohttp import web

from bot.runtime.runsheets import state_key
from bot.web import console
from bot.web.auth import COOKIE
from bot.web.console_events import ConsoleHub
from tests.browser.console_steps import answer_first_prompt, press_the_chairs_answer, start_meeting
from tests.browser.webapp import build_web_app, session_cookie
from tests.integration.console_world import (
    CHAIR,
    OTHER_CHAIR,
    START,
    VirtualClock,
    World,
    build_world,
    open_database,
)

WAIT_MS = 10_000


@dataclass
class Console:
    """The web app with the console over a run-sheet world, served from its own thread."""

    base: str
    world: World
    conference_id: int
    loop: asyncio.AbstractEventLoop
    hub: ConsoleHub

    def on_server(self, work: Coroutine[Any, Any, Any]) -> Any:
        """Run ``work`` on the server's event loop, where the run sheets and the hub live."""
        return asyncio.run_coroutine_threadsafe(work, self.loop).result(10)

    @property
    def url(self) -> str:
        return f"{self.base}/conferences/{self.conference_id}/console"


@pytest.fixture
def served(tmp_path: Path) -> Iterator[Console]:
    database = open_database(tmp_path / "console.sqlite3")
    world = build_world(database, VirtualClock())
    app, _repository, _actions = build_web_app(database, clock=world.clock)
    hub = console.add_routes(app, world.runsheets)
    conference_id = world.add_conference()
    started = threading.Event()
    holder: dict[str, Any] = {}

    async def run() -> None:
        runner = web.AppRunner(app, shutdown_timeout=1)
        await runner.setup()
        await web.TCPSite(runner, "127.0.0.1", 0).start()
        holder["port"] = runner.addresses[0][1]
        holder["stop"], holder["loop"] = asyncio.Event(), asyncio.get_running_loop()
        started.set()
        await holder["stop"].wait()
        await runner.cleanup()

    thread = threading.Thread(target=asyncio.run, args=(run(),), daemon=True)
    thread.start()
    assert started.wait(10), "the test server did not start"
    base = f"http://127.0.0.1:{holder['port']}"
    yield Console(base, world, conference_id, holder["loop"], hub)
    holder["loop"].call_soon_threadsafe(holder["stop"].set)
    thread.join(timeout=10)
    database.dispose()


def _page_as(browser: Any, served: Console, user: str) -> Any:
    context = browser.new_context(viewport={"width": 1280, "height": 900}, locale="en-GB")
    context.add_cookies(
        [{"name": COOKIE, "value": session_cookie(user, "chair"), "url": served.base}]
    )
    page = context.new_page()
    page.set_default_timeout(WAIT_MS)
    errors: list[str] = []
    page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
    page.csp_errors = errors
    return page


def test_a_prompt_appears_without_a_reload_and_clicking_an_answer_records_it(
    browser: Any, served: Console
) -> None:
    page = _page_as(browser, served, CHAIR)
    page.goto(served.url)
    assert page.get_by_text("Nothing is waiting for you.").is_visible()
    page.wait_for_selector("#console[data-live='connected']", state="attached")
    page.evaluate("window.__notReloaded = true")
    served.on_server(served.world.at(START))  # the planned start: the run sheet begins
    first = page.locator("#prompts li").first
    first.get_by_role("button", name="Agrees to recording").wait_for()
    assert page.evaluate("window.__notReloaded") is True
    prompt_id = first.get_attribute("id").removeprefix("prompt-")
    first.get_by_role("button", name="Agrees to recording").click()
    page.locator(".answered").get_by_text("consented").first.wait_for()
    assert page.evaluate("window.__notReloaded") is True
    entries = served.world.repository.timeline(served.conference_id)
    answered = [e for e in entries if e.kind == "runsheet.answered" and e.step_id == prompt_id]
    assert [(e.actor, e.detail["answer"]) for e in answered] == [(CHAIR, "consented")]
    assert not [e for e in page.csp_errors if "Content Security Policy" in e]
    page.context.close()


def test_a_second_chairs_account_is_refused(browser: Any, served: Console) -> None:
    page = _page_as(browser, served, OTHER_CHAIR)
    response = page.goto(served.url)
    assert response is not None and response.status == 403
    assert "Only the conference's chair" in page.content()
    assert "Sam Testparent" not in page.content()
    page.context.close()


def test_a_live_update_while_the_chair_types_keeps_their_words_and_they_reach_the_record(
    browser: Any, served: Console
) -> None:
    page = _page_as(browser, served, CHAIR)
    page.goto(served.url)
    page.wait_for_selector("#console[data-live='connected']", state="attached")
    start_meeting(page)
    typed: dict[str, str] = {}
    first = page.locator("#prompts > li").first
    while not first.locator("textarea").count():
        answer_first_prompt(page, typed)  # the consent and callback steps take no words
    box = first.locator("textarea")
    words = "Health visitor: the baby is gaining weight; no concerns at the last visit."
    box.fill(words)
    box.focus()
    box.evaluate("el => { el.dataset.before = 'yes'; }")  # gone once the part is redrawn
    served.loop.call_soon_threadsafe(served.hub.refetch_all)  # another replica's news
    first.locator("textarea:not([data-before])").wait_for()
    assert box.input_value() == words
    assert page.evaluate("document.activeElement && document.activeElement.tagName") == "TEXTAREA"
    prompt_id = page.locator("#prompts > li").first.get_attribute("id").removeprefix("prompt-")
    press_the_chairs_answer(page)
    entries = served.world.repository.timeline(served.conference_id)
    assert any(e.step_id == prompt_id and e.kind == "runsheet.answered" for e in entries)
    journal = served.world.repository.get_state(state_key(served.conference_id)) or ""
    assert words in journal
    page.context.close()
