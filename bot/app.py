"""Wiring: the only module that knows every adapter. Builds and runs the service."""

from __future__ import annotations

import asyncio
import contextlib
import logging
import os
import signal
from collections.abc import AsyncIterator
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING

from aiohttp import web

from bot.core.mailbox import InboundMessage, RequestMailbox
from bot.runtime import deadlines
from bot.runtime.actions import RuntimeActions
from bot.runtime.aftercare.service import Aftercare, AftercareConfig
from bot.runtime.context import SYSTEM, People, Runtime
from bot.runtime.delivery import Note
from bot.runtime.durable import DurableScheduler
from bot.runtime.intake import handle_message
from bot.runtime.jobs import JobDispatcher
from bot.runtime.leading import LeaderDuties
from bot.runtime.mailbox import Mailboxes, MailboxSweep
from bot.runtime.outbox import Outbox
from bot.runtime.playbooks import PlaybookRegistry, PlaybookSource
from bot.runtime.retention import RetentionPurge
from bot.runtime.runsheets import RunSheetService
from bot.settings import ConfigError, Settings
from bot.store.access import AccessStore
from bot.store.audit import ViewAudit
from bot.store.database import Database
from bot.store.files import private_dir
from bot.store.leader import leadership_for
from bot.store.locks import ConferenceLocks
from bot.store.outbox import OutboxRecords
from bot.store.playbooks import PlaybookVersions
from bot.store.queries import StatusQueries
from bot.store.repository import Repository
from bot.store.retention import RetentionStore
from bot.store.signals import PostgresSignals
from bot.store.subject import SubjectAccess
from bot.web import (
    about,
    api,
    api_access,
    api_aftercare,
    audit,
    auth,
    console,
    graph_webhook,
    health,
    minutes_page,
    signin,
    site,
    snapshot,
    status,
    subject_access,
)
from bot.web import actions as web_actions
from bot.web.access_log import RedactedAccessLogger
from bot.web.config import CONFIG_KEY, WebConfig
from bot.web.console_events import ConsoleHub
from bot.web.listen import listening, start_site
from bot.web.progress import TimelineCache
from bot.web.service_health import ServiceHealth

if TYPE_CHECKING:
    from graph.gateway import GraphGateway

logger = logging.getLogger(__name__)

SHUTDOWN_TIMEOUT_S = 3.0  # SIGTERM must stop the service within 5 s


@dataclass
class Services:
    """What the running service holds, in the order it was started."""

    settings: Settings
    database: Database
    repository: Repository
    admin_token: str = field(repr=False)  # a bearer secret: never in a log or a repr
    playbooks: PlaybookRegistry
    mailboxes: tuple[RequestMailbox, ...]
    gateway: GraphGateway | None = None
    sandbox_url: str | None = None
    runtime: Runtime | None = None
    scheduler: DurableScheduler | None = None
    runner: JobDispatcher | None = None
    aftercare: Aftercare | None = None
    runsheets: RunSheetService | None = None
    mail: Mailboxes | None = None  # one sweep and one subscription per request mailbox
    sweep: MailboxSweep | None = None  # the first mailbox's, for tests that sweep by hand
    duties: LeaderDuties | None = None
    signals: PostgresSignals | None = None  # console news between replicas (PostgreSQL only)
    tasks: list[asyncio.Task[None]] = field(default_factory=list)


def open_database(settings: Settings) -> Database:
    """Open the store and apply pending migrations; errors name the setting."""
    database = Database(settings.store.url)
    database.check_connection()
    database.upgrade()
    return database


def request_mailboxes(settings: Settings) -> tuple[RequestMailbox, ...]:
    """The request mailboxes, each with the playbook names it books under."""
    return tuple(
        RequestMailbox(
            m.address,
            _playbook_name(m.playbook) if m.playbook else None,
            tuple((kind, _playbook_name(name)) for kind, name in m.by_type),
        )
        for m in settings.request_mailboxes()
    )


def _playbook_name(configured: str) -> str:
    # A path to a council's own file is known by its file name without the extension.
    return Path(configured).stem if configured.endswith((".yaml", ".yml")) else configured


def playbook_sources(settings: Settings, wanted: tuple[str, ...]) -> dict[str, PlaybookSource]:
    """The texts of the council's playbooks: those the mailboxes name, and the playbook folder's.

    A name is a bundled playbook, a file in ``CONFBOT_PLAYBOOK_DIR``, or (for the single
    mailbox setting) a path to a YAML file. A mailbox naming any other playbook stops
    start-up with one line naming its setting.
    """
    from playbooks import DIRECTORY

    found: dict[str, Path] = {}
    if settings.playbook_dir is not None:
        for path in sorted(settings.playbook_dir.glob("*.y*ml")):
            found[path.stem] = path
    configured = settings.conference.playbook
    paths = {configured} if configured.endswith((".yaml", ".yml")) else set()
    for given in paths:
        if not Path(given).is_file():
            raise ConfigError(f"CONFBOT_CONFERENCE__PLAYBOOK: there is no file {given}")
        found[Path(given).stem] = Path(given)
    bundled = {path.stem: path for path in DIRECTORY.glob("*.yaml")}
    settings.check_playbooks({*found, *bundled, *paths})
    for name in wanted:
        if name not in found:
            found[name] = bundled[name]
    return {name: PlaybookSource.from_file(name, path) for name, path in found.items()}


def sandbox_people(settings: Settings, role: str) -> tuple[str, ...]:
    """Addresses of the sandbox tenant's users with ``role`` (its chairs, its minute takers)."""
    from graph.sandbox.seed import load_seed

    return tuple(u.mail for u in load_seed(settings.graph.sandbox_seed) if u.role == role)


def build_app(services: Services) -> web.Application:
    """The aiohttp application: probes, sign-in, pages, API and webhooks, wired to services."""
    app = web.Application()
    app[health.DATABASE_KEY] = services.database
    app[status.QUERIES_KEY] = StatusQueries(services.database)
    app[auth.ADMIN_TOKEN_KEY] = services.admin_token
    app[auth.ACCESS_KEY] = AccessStore(services.database)
    app[audit.AUDIT_KEY] = ViewAudit(services.database)
    app[subject_access.SUBJECT_KEY] = SubjectAccess(services.database)
    secret = services.settings.web.session_secret
    app[auth.SIGNER_KEY] = auth.SessionSigner(
        secret.get_secret_value()
        if secret
        else auth.read_or_create_secret(services.settings.data_dir / "session-secret")
    )
    settings = services.settings
    app[CONFIG_KEY] = WebConfig.from_settings(settings)
    # The status page reads each conference's own playbook from the same registry.
    registry = services.playbooks
    app[status.TIMELINES_KEY] = TimelineCache(registry.all_current)
    metrics = services.gateway.metrics if services.gateway is not None else None
    if metrics is not None:
        app[snapshot.GRAPH_COUNTERS_KEY] = metrics
    app[snapshot.HEALTH_KEY] = ServiceHealth(services.database, sweep=services.mail, graph=metrics)
    if services.runtime and services.runner and services.aftercare:
        # The one facade the pages and the API act through.
        app[web_actions.ACTIONS_KEY] = RuntimeActions(
            services.runtime, services.runner, services.aftercare
        )
    health.add_routes(app)
    signin.add_routes(app)
    about.add_routes(app)
    site.add_routes(app)
    if services.runsheets is not None:
        # The chair console is a prompt channel too; with replicas, its news travel by NOTIFY.
        signals = services.signals
        listen = signals.listen if signals is not None else None
        console.add_routes(app, services.runsheets, ConsoleHub(signals), listen=listen)
        add_teams(app, services)
    api.add_routes(app)
    api_aftercare.add_routes(app)
    minutes_page.add_routes(app)
    api_access.add_routes(app)
    if services.mail is not None:
        # Graph's notifications are routed to their mailbox's sweep by clientState.
        app[graph_webhook.NOTIFY_KEY] = services.mail.notify
        graph_webhook.add_routes(app)
    return app


def app_runner(app: web.Application) -> web.AppRunner:
    """A runner whose access log leaves out query strings and credentials."""
    return web.AppRunner(
        app, shutdown_timeout=SHUTDOWN_TIMEOUT_S, access_log_class=RedactedAccessLogger
    )


def sign_in_link(database: Database, base: str) -> str:
    """A one-time sign-in link for the sandbox admin: it works once, for a few minutes."""
    code = AccessStore(database).issue_code(auth.Identity(signin.SANDBOX_ADMIN, "admin"))
    return f"{base.rstrip('/')}/signin?code={code}"


def add_teams(app: web.Application, services: Services) -> None:
    """Mount the Teams bot at /api/messages and make Teams a prompt channel for chairs."""
    from bot.store.conversations import ConversationRepository
    from bot.teams.agent import TeamsBot
    from bot.teams.channel import TeamsPromptChannel
    from bot.teams.config import agents_configuration
    from bot.teams.lookup import JoinUrlLookup
    from bot.teams.routes import add_routes as add_teams_routes

    assert services.runsheets is not None
    repository = services.repository
    settings = services.settings
    anonymous = settings.teams.anonymous_allowed
    bot = TeamsBot(
        services.runsheets,
        ConversationRepository(services.database),
        JoinUrlLookup(
            lambda: [
                (c.id, c.join_url) for c in repository.list_conferences(limit=500) if c.join_url
            ]
        ),
        # The Agents SDK reads its own CONNECTIONS__... variables; they are passed through as is.
        agents_configuration(
            os.environ, anonymous=settings.sandbox_mode if anonymous is None else anonymous
        ),
        # The chair decides and concludes from Teams through the same actions as the pages.
        decisions=app.get(web_actions.ACTIONS_KEY),
    )
    resolve = services.gateway.user_object_id if services.gateway is not None else None
    note = _timeline_note(repository)  # a possible duplicate card, for the status page
    services.runsheets.add_channel(TeamsPromptChannel(bot, resolve, note))
    add_teams_routes(app, bot)


def build_graph_gateway(settings: Settings, sandbox_url: str | None) -> GraphGateway:
    """The Graph gateway for the council's tenant, or for the embedded sandbox."""
    from graph.auth import GraphConnection, build_gateway

    graph = settings.graph
    if sandbox_url is not None:
        return build_gateway(GraphConnection(base_url=sandbox_url + "/v1.0"))
    return build_gateway(
        GraphConnection(
            tenant_id=graph.tenant_id,
            client_id=graph.client_id,
            client_secret=graph.client_secret.get_secret_value() if graph.client_secret else None,
            certificate_path=graph.certificate_path,
            certificate_password=(
                graph.certificate_password.get_secret_value()
                if graph.certificate_password
                else None
            ),
            managed_identity=graph.managed_identity,
            managed_identity_client_id=graph.managed_identity_client_id or None,
            base_url=graph.base_url or None,
        )
    )


def _timeline_note(repository: Repository) -> Note:
    """Adapters' lines on the conference's timeline: an email's failures and retries (the
    outbox), a Teams card that may have been shown twice."""

    def note(conference_id: int, kind: str, step_id: str, detail: dict[str, object]) -> None:
        repository.append_timeline(
            conference_id, actor=SYSTEM, kind=kind, step_id=step_id, detail=dict(detail)
        )

    return note


def _wire_runtime(services: Services) -> None:
    settings = services.settings
    assert services.gateway is not None
    chairs = tuple(settings.conference.chairs)
    minute_takers = tuple(settings.conference.minute_takers)
    if settings.sandbox_mode:
        chairs = chairs or sandbox_people(settings, "chair")
        minute_takers = minute_takers or sandbox_people(settings, "minute_taker")
    scheduler = DurableScheduler(services.database.engine, settings.conference.misfire_grace)
    registry = services.playbooks
    runtime = Runtime(
        store=services.repository,
        graph=services.gateway,
        scheduler=scheduler,
        playbooks=registry,
        outbox=Outbox(
            services.gateway,
            OutboxRecords(services.database),
            registry.for_conference,
            services.mailboxes[0].address,
            note=_timeline_note(services.repository),
            unclear_wait=settings.graph.unclear_send_wait,
        ),
        mailboxes=services.mailboxes,
        people=People(chairs, minute_takers, settings.conference.duty_chair or None),
        clock=lambda: datetime.now(UTC),
    )
    dispatcher = JobDispatcher(runtime)
    deadlines.register(dispatcher)
    services.runtime = runtime
    services.scheduler = scheduler
    services.runner = dispatcher
    services.aftercare = Aftercare(
        runtime,
        dispatcher,
        AftercareConfig(
            runtime.default_mailbox, attendance_reports=settings.graph.attendance_reports
        ),
    )
    services.aftercare.register()
    # Replicas share PostgreSQL: they lock a run sheet there and pass console news over it.
    shared = None if services.database.is_sqlite else ConferenceLocks(services.database)
    services.runsheets = RunSheetService(runtime, shared=shared)
    if not services.database.is_sqlite:
        services.signals = PostgresSignals(services.database)
    services.runsheets.register(dispatcher)

    async def handle(message: InboundMessage, mailbox: RequestMailbox) -> object:
        return await handle_message(runtime, message, mailbox)

    services.mail = Mailboxes(services.gateway, services.repository, services.mailboxes, handle)
    services.sweep = services.mail.sweeps[0]


@contextlib.asynccontextmanager
async def running_services(settings: Settings) -> AsyncIterator[Services]:
    """Start the store first and close it last; adapters start in between."""
    # httpx logs each Graph URL, and those name people's mailboxes: keep them out of logs.
    logging.getLogger("httpx").setLevel(logging.WARNING)
    async with contextlib.AsyncExitStack() as stack:
        private_dir(settings.data_dir)  # the secrets below are written into it
        database = await asyncio.to_thread(open_database, settings)
        stack.callback(database.dispose)
        mailboxes = request_mailboxes(settings)
        wanted = tuple(dict.fromkeys(n for m in mailboxes for n in m.playbooks))
        services = Services(
            settings=settings,
            database=database,
            repository=Repository(database),
            admin_token=auth.read_or_create_secret(settings.data_dir / "admin-token", 24),
            playbooks=PlaybookRegistry(
                playbook_sources(settings, wanted), PlaybookVersions(database)
            ),
            mailboxes=mailboxes,
        )
        if settings.sandbox_mode and settings.graph.base_url:
            # A sandbox run separately (`confbot sandbox`), e.g. so it outlives restarts.
            services.sandbox_url = settings.graph.base_url.removesuffix("/v1.0")
        elif settings.sandbox_mode:
            from graph.sandbox.server import start_sandbox

            with listening("127.0.0.1", settings.graph.sandbox_port, "CONFBOT_GRAPH__SANDBOX_PORT"):
                sandbox = await start_sandbox(
                    "127.0.0.1", settings.graph.sandbox_port, settings.graph.sandbox_seed
                )
            stack.push_async_callback(sandbox.close)
            services.sandbox_url = sandbox.url
        services.gateway = build_graph_gateway(settings, services.sandbox_url)
        stack.push_async_callback(services.gateway.aclose)
        _wire_runtime(services)
        stack.push_async_callback(_stop_background, services)
        yield services


async def start_background(services: Services, base_url: str) -> None:
    """Contend for the lead; the leader runs the scheduler, the sweep and the subscription."""
    assert services.scheduler and services.runner and services.mail
    settings = services.settings
    duties = services.mail.duties(
        settings.conference.sweep_interval, base_url + graph_webhook.ROUTE
    )
    if settings.retention.purge_daily:
        purge = RetentionPurge(RetentionStore(services.database), settings.retention.policy())
        duties.append(("retention-purge", purge.run))
    services.duties = LeaderDuties(
        leadership_for(services.database, settings.data_dir),
        services.scheduler,
        services.runner,
        settings.conference.misfire_grace,
        duties,
    )
    services.tasks.append(asyncio.create_task(services.duties.run(), name="leader-duties"))


async def _stop_background(services: Services) -> None:
    for task in services.tasks:
        task.cancel()
    for task in services.tasks:
        with contextlib.suppress(asyncio.CancelledError):
            await task
    services.tasks.clear()


async def serve(settings: Settings, ready: asyncio.Event | None = None) -> None:
    """Run until SIGTERM or SIGINT, then stop cleanly."""
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for signum in (signal.SIGTERM, signal.SIGINT):
        loop.add_signal_handler(signum, stop.set)
    async with running_services(settings) as services:
        runner = app_runner(build_app(services))
        await runner.setup()
        try:
            port = await start_site(runner, settings.web.host, settings.web.port)
            base = settings.web.public_url or f"http://{settings.web.host}:{port}"
            await start_background(services, base)
            await _announce(services, base)
            if ready is not None:
                ready.set()
            await stop.wait()
            logger.info("stopping")
        finally:
            await _stop_background(services)
            await runner.cleanup()


async def _announce(services: Services, base: str) -> None:
    settings = services.settings
    if settings.sandbox_mode:
        logger.warning(
            "SANDBOX MODE: no Microsoft 365 tenant is configured. Graph calls go to the local "
            "sandbox tenant at %s and no real email or meeting is created.",
            services.sandbox_url,
        )
    # Printed, not logged: it is the one line a person needs to get in.
    print(f"confbot is running. Status page: {base}/", flush=True)
    if WebConfig.from_settings(settings).sandbox_sign_in:
        link = await asyncio.to_thread(sign_in_link, services.database, base)
        print(
            f"Sign in: {link} (works once, for {signin.CODE_MINUTES} minutes; "
            "`confbot signin-link` prints another)",
            flush=True,
        )
    if settings.sandbox_mode and services.sandbox_url:
        print(f"Sandbox Graph tenant: {services.sandbox_url}/v1.0", flush=True)
