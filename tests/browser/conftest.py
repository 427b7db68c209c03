"""Browser fixtures: Debian's Chromium under Playwright, confbot served for real, axe-core.

Without Chromium (or the playwright package) these tests fail in CI (CI set) and are skipped,
loudly, elsewhere. axe-core is installed from npm into var/ on first use; never committed.
"""

from __future__ import annotations

import asyncio
import os
import re
import shutil
import subprocess
import sys
import threading
import time
import warnings
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from aiohttp import web

from bot.store.database import Database
from bot.store.repository import Repository
from tests.browser.webapp import FakeActions, build_web_app, sign_in_link

ROOT = Path(__file__).resolve().parents[2]
CHROMIUM = Path("/usr/bin/chromium")
AXE_VERSION = "4.14.1"
AXE_DIR = ROOT / "var" / "npm-cache" / f"axe-core-{AXE_VERSION}"
SCREENSHOTS = ROOT / "var" / "screenshots"
LAUNCH_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
CONFBOT = str(Path(sys.executable).parent / "confbot")


def _unavailable(reason: str) -> None:
    if os.environ.get("CI"):
        pytest.fail(f"browser tests cannot run in CI: {reason}")
    warnings.warn(f"SKIPPING BROWSER TESTS: {reason}", stacklevel=2)
    pytest.skip(f"SKIPPING BROWSER TESTS: {reason}")


@pytest.fixture(scope="module")
def browser() -> Iterator[Any]:
    """Headless Chromium from Debian, driven by Playwright (never `playwright install`).

    Module-scoped: Playwright's sync API holds an event loop in this thread while it runs,
    which the suite's async tests in other modules need free.
    """
    if not CHROMIUM.exists():
        _unavailable(f"{CHROMIUM} is missing; apt-get install chromium")
    try:
        from playwright.sync_api import sync_playwright
    except ImportError:
        _unavailable("the playwright package is missing; pip install playwright")
    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(
            executable_path=str(CHROMIUM), headless=True, args=LAUNCH_ARGS
        )
        yield chromium
        chromium.close()


@pytest.fixture(scope="session")
def axe_source() -> str:
    """axe-core's script, installed from npm at a pinned version into var/."""
    script = AXE_DIR / "node_modules" / "axe-core" / "axe.min.js"
    if not script.exists():
        npm = shutil.which("npm")
        if npm is None:
            _unavailable("npm is missing, so axe-core cannot be installed")
        AXE_DIR.mkdir(parents=True, exist_ok=True)
        subprocess.run(
            [npm or "npm", "install", "--no-audit", "--no-fund", "--prefix", str(AXE_DIR),
             f"axe-core@{AXE_VERSION}"],
            check=True, capture_output=True, timeout=300,
        )  # fmt: skip
    return script.read_text()


@dataclass
class Served:
    """A web app on a loopback port, and its store."""

    base: str
    repository: Repository
    actions: FakeActions | None = None
    process: subprocess.Popen[str] | None = None
    signin: str = ""
    sandbox: str = ""  # the embedded sandbox tenant's URL, when serve runs one


@pytest.fixture
def app_server(tmp_path: Path) -> Iterator[Served]:
    """The web app (real routes, real SQLite, fake runtime) served from a thread."""
    database = Database(f"sqlite:///{tmp_path / 'browser.sqlite3'}")
    database.upgrade()
    app, repository, actions = build_web_app(database)
    # Playwright's sync API owns this thread's event loop, so the server gets its own thread.
    started = threading.Event()
    ports: list[int] = []
    holder: dict[str, Any] = {}

    async def run() -> None:
        runner = web.AppRunner(app, shutdown_timeout=1)
        await runner.setup()
        await web.TCPSite(runner, "127.0.0.1", 0).start()
        ports.append(runner.addresses[0][1])
        stop = asyncio.Event()
        holder["stop"], holder["loop"] = stop, asyncio.get_running_loop()
        started.set()
        await stop.wait()
        await runner.cleanup()

    thread = threading.Thread(target=asyncio.run, args=(run(),), daemon=True)
    thread.start()
    assert started.wait(10), "the test server did not start"
    base = f"http://127.0.0.1:{ports[0]}"
    yield Served(base, repository, actions, signin=sign_in_link(base))
    holder["loop"].call_soon_threadsafe(holder["stop"].set)
    thread.join(timeout=10)
    database.dispose()


@pytest.fixture
def confbot_serve(tmp_path: Path) -> Iterator[Served]:
    """`confbot serve` as a process, exactly as `make run` starts it, with its store."""
    url = f"sqlite:///{tmp_path / 'var' / 'confbot.sqlite3'}"
    env = {k: v for k, v in os.environ.items() if not k.startswith("CONFBOT_")}
    env.update(CONFBOT_DATA_DIR=str(tmp_path / "var"), CONFBOT_STORE__URL=url)
    env.update(CONFBOT_WEB__PORT="0")
    process = subprocess.Popen(
        [CONFBOT, "serve"], cwd=tmp_path, env=env, text=True,
        stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
    )  # fmt: skip
    assert process.stdout is not None
    base = signin = sandbox = ""
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline and not signin:
        line = process.stdout.readline()
        if not line:
            break
        if match := re.search(r"Status page: (\S+)/$", line.strip()):
            base = match.group(1)
        if match := re.search(r"Sign in: (\S+)", line):
            signin = match.group(1)
        if match := re.search(r"sandbox tenant at (http://[\d.:]+)", line):
            sandbox = match.group(1)
    if not signin:
        process.kill()
        pytest.fail("serve did not print its sign-in link")
    # Keep reading its output, so a chatty log never fills the pipe and stalls it.
    threading.Thread(target=process.stdout.read, daemon=True).start()
    database = Database(url)
    yield Served(base, Repository(database), process=process, signin=signin, sandbox=sandbox)
    database.dispose()
    process.terminate()
    try:
        process.wait(timeout=10)
    except subprocess.TimeoutExpired:
        process.kill()
        process.wait()
