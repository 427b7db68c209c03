"""The Microsoft 365 Agents Playground as a test client: install it pinned, run it offline.

Its local HTTP API is undocumented, so the version is pinned; the endpoints used here were
read from the 0.2.28 package (``dist/index.js``): ``/_internal/v1/config``,
``/_internal/v1/customActivities``, ``/_conversation/v1/conversations/{id}/messages``,
``/_conversation/v1/invoke`` and the websocket ``/_ws_conversation/v1/conversations/stream``.
"""

from __future__ import annotations

import asyncio
import json
import os
import shutil
import socket
import subprocess
import sys
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager, suppress
from pathlib import Path
from typing import Any

from aiohttp import ClientSession, ClientWebSocketResponse, WSMsgType

PACKAGE = "@microsoft/m365agentsplayground"
VERSION = "0.2.28"
ROOT = Path(__file__).resolve().parents[2]
CACHE = ROOT / "var" / "cache" / f"playground-{VERSION}"  # var/ is never committed
CLI = CACHE / "node_modules" / "@microsoft" / "m365agentsplayground" / "cli.js"
INSTALL_TIMEOUT_S = 180
MESSAGE_WAIT_S = 10.0


class PlaygroundUnavailable(RuntimeError):
    """npm or node is missing, or the registry cannot be reached."""


def loud(message: str) -> str:
    """A skip reason no one can miss in the test summary."""
    banner = "!" * 78
    text = f"PLAYGROUND END-TO-END TEST NOT RUN: {message}"
    print(f"\n{banner}\n{text}\n{banner}", file=sys.stderr, flush=True)
    return text


def install() -> Path:
    """The pinned Playground's cli.js, installed with npm into var/cache on first use."""
    if CLI.exists():
        return CLI
    npm, node = shutil.which("npm"), shutil.which("node")
    if npm is None or node is None:
        raise PlaygroundUnavailable("node and npm are not installed")
    CACHE.mkdir(parents=True, exist_ok=True)
    try:
        done = subprocess.run(
            [npm, "install", "--no-audit", "--no-fund", "--prefix", str(CACHE),
             f"{PACKAGE}@{VERSION}"],
            capture_output=True,
            text=True,
            timeout=INSTALL_TIMEOUT_S,
            check=False,
        )  # fmt: skip
    except subprocess.TimeoutExpired as err:
        raise PlaygroundUnavailable("npm install timed out; is the registry reachable?") from err
    if done.returncode != 0 or not CLI.exists():
        tail = (done.stderr or done.stdout).strip().splitlines()[-3:]
        raise PlaygroundUnavailable("npm install failed: " + " | ".join(tail))
    return CLI


def free_port() -> int:
    """A free loopback port; the Playground takes a port number, not 0."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


class Playground:
    """A running Playground and a session on its local API."""

    def __init__(self, base: str, session: ClientSession) -> None:
        self.base = base
        self.session = session
        self.config: dict[str, Any] = {}
        self.ws: ClientWebSocketResponse | None = None

    @property
    def service_url(self) -> str:
        """Where the bot sends its replies: the Playground's mock connector."""
        return f"{self.base}/_connector"

    @property
    def user(self) -> dict[str, Any]:
        """The Playground's signed-in (fictional) user."""
        user: dict[str, Any] = self.config["config"]["currentUser"]
        return user

    @property
    def bot(self) -> dict[str, Any]:
        """The bot account the Playground talks to."""
        bot: dict[str, Any] = self.config["config"]["bot"]
        return bot

    async def load_config(self) -> None:
        """GET the config; the Playground answers once it has reached the bot."""
        async with self.session.get(f"{self.base}/_internal/v1/config") as response:
            response.raise_for_status()
            self.config = await response.json()

    async def send_message(self, conversation_id: str, text: str) -> None:
        """The user types a message into a chat."""
        body = {"from": {"id": self.user["id"]}, "text": text, "textFormat": "plain"}
        url = f"{self.base}/_conversation/v1/conversations/{conversation_id}/messages"
        async with self.session.post(url, json=body) as response:
            response.raise_for_status()

    async def send_activity(self, activity: dict[str, Any]) -> None:
        """Any activity, such as a meetingStart event, straight to the bot."""
        url = f"{self.base}/_internal/v1/customActivities"
        async with self.session.post(url, json=activity) as response:
            response.raise_for_status()

    async def invoke(
        self, conversation_id: str, message_id: str, data: dict[str, Any], verb: str
    ) -> dict[str, Any]:
        """The user presses an Action.Execute button; returns the bot's invoke response."""
        body = {
            "name": "adaptiveCard/action",
            "value": {"action": {"type": "Action.Execute", "verb": verb, "data": data}},
            "from": {"id": self.user["id"]},
            "conversation": {"id": conversation_id},
            "replyToId": message_id,
        }
        async with self.session.post(f"{self.base}/_conversation/v1/invoke", json=body) as resp:
            resp.raise_for_status()
            result: dict[str, Any] = await resp.json()
            return result

    async def watch(self) -> None:
        """Open the conversation stream the Playground's own web page listens to."""
        ws_base = self.base.replace("http://", "ws://", 1)
        self.ws = await self.session.ws_connect(
            f"{ws_base}/_ws_conversation/v1/conversations/stream"
        )

    async def next_message(self, action: str) -> dict[str, Any]:
        """The next streamed message of this action ("createMessage", "updateMessage")."""
        assert self.ws is not None, "call watch() first"
        async with asyncio.timeout(MESSAGE_WAIT_S):
            while True:
                received = await self.ws.receive()
                if received.type is not WSMsgType.TEXT:
                    raise AssertionError(f"stream closed: {received.type}")
                update: dict[str, Any] = json.loads(received.data)
                if update.get("action") == action:
                    return update


@asynccontextmanager
async def running_playground(bot_url: str) -> AsyncIterator[Playground]:
    """Start the Playground offline against ``bot_url``; stop it (and only it) afterwards."""
    cli = install()
    port = free_port()
    env = dict(os.environ, TEAMSAPPTESTER_BROWSER="none")
    log = CACHE / "playground.log"
    with log.open("w") as output:
        process = await asyncio.create_subprocess_exec(
            shutil.which("node") or "node",
            str(cli),
            "-e", bot_url,
            "-c", "msteams",
            "--disable-telemetry",
            "-p", str(port),
            "--service-url", f"http://127.0.0.1:{port}/_connector",
            env=env,
            cwd=str(CACHE),
            stdout=output,
            stderr=subprocess.STDOUT,
        )  # fmt: skip
    base = f"http://127.0.0.1:{port}"
    try:
        async with ClientSession() as session:
            playground = Playground(base, session)
            await _wait_until_up(playground, process)
            yield playground
            if playground.ws is not None:
                await playground.ws.close()
    finally:
        with suppress(ProcessLookupError):
            process.terminate()
        try:
            await asyncio.wait_for(process.wait(), 5)
        except TimeoutError:
            process.kill()
            await process.wait()


async def _wait_until_up(playground: Playground, process: asyncio.subprocess.Process) -> None:
    async with asyncio.timeout(30):
        while True:
            if process.returncode is not None:
                raise AssertionError(f"the Playground exited; see {CACHE / 'playground.log'}")
            try:
                await playground.load_config()
                return
            except OSError:
                await asyncio.sleep(0.2)
