"""Configuration: the one place that reads the environment (prefix ``CONFBOT_``, ``.env`` too)."""

from __future__ import annotations

import re
from collections.abc import Collection, Sequence
from datetime import timedelta
from pathlib import Path
from typing import Annotated, Any, Literal

from pydantic import (
    BaseModel,
    Field,
    SecretStr,
    ValidationError,
    field_validator,
    model_validator,
)
from pydantic_settings import BaseSettings, NoDecode, SettingsConfigDict
from pydantic_settings.exceptions import SettingsError

from bot.core.mailbox import RequestMailbox
from bot.settings_mailboxes import (
    MailboxSettings,
    is_address,
    mailbox_problem,
    playbook_problem,
)

ENV_PREFIX = "CONFBOT_"
NESTED_DELIMITER = "__"
MAILBOXES_VAR = f"{ENV_PREFIX}MAILBOXES"


class ConfigError(Exception):
    """The configuration cannot work; the message names the setting."""


class GraphSettings(BaseModel):
    """How confbot reaches Microsoft Graph. With no tenant credentials it runs the sandbox."""

    tenant_id: str = Field("", description="Entra tenant id of the council.")
    client_id: str = Field("", description="Application (client) id of confbot's app registration.")
    client_secret: SecretStr | None = Field(
        None, description="Client secret (prefer a certificate)."
    )
    certificate_path: Path | None = Field(None, description="PEM certificate with private key.")
    certificate_password: SecretStr | None = Field(None, description="Password of the certificate.")
    managed_identity: bool = Field(False, description="Use the Azure managed identity.")
    managed_identity_client_id: str = Field("", description="User-assigned identity's client id.")
    request_mailbox: str = Field(
        "cp.requests@example.org",
        description="The shared mailbox that receives conference requests "
        f"(when {MAILBOXES_VAR} is unset).",
    )
    base_url: str = Field(
        "",
        description="Graph base URL. Unset: Microsoft's, or the embedded sandbox in sandbox mode.",
    )
    sandbox_port: int = Field(
        0, description="Port of the embedded sandbox tenant (0: any free one)."
    )
    sandbox_seed: Path | None = Field(None, description="YAML of fictional sandbox users.")
    unclear_send_wait: timedelta = Field(
        timedelta(minutes=2),
        description="How long an email whose send got no answer (a timeout, a crash) is given "
        "to show in Drafts or Sent Items before confbot decides it never went and sends it "
        "(ISO 8601: PT2M).",
    )

    @property
    def has_credentials(self) -> bool:
        """Whether any tenant credential has been configured at all."""
        return bool(
            self.tenant_id
            or self.client_id
            or self.client_secret
            or self.certificate_path
            or self.managed_identity
        )

    def check(self) -> None:
        """Refuse half-configured credentials instead of silently using the sandbox."""
        if not self.has_credentials:
            return
        missing = []
        if not self.managed_identity:
            if not self.tenant_id:
                missing.append(f"{ENV_PREFIX}GRAPH__TENANT_ID")
            if not self.client_id:
                missing.append(f"{ENV_PREFIX}GRAPH__CLIENT_ID")
            if not (self.client_secret or self.certificate_path):
                missing.append(
                    f"{ENV_PREFIX}GRAPH__CLIENT_SECRET or {ENV_PREFIX}GRAPH__CERTIFICATE_PATH"
                )
        if missing:
            raise ConfigError(
                "Graph credentials are only partly set; also set "
                + ", ".join(missing)
                + " (or unset them all to run the sandbox)"
            )


class ConferenceSettings(BaseModel):
    """The council's process and people."""

    playbook: str = Field(
        "lancashire",
        description="The playbook to run: a bundled name or a path to a YAML file "
        f"(when {MAILBOXES_VAR} is unset).",
    )
    chairs: Annotated[list[str], NoDecode] = Field(
        default_factory=list,
        description="Addresses of the chairs (IROs) confbot may allocate, comma separated. "
        "Empty in sandbox mode: the sandbox's chairs.",
    )
    minute_takers: Annotated[list[str], NoDecode] = Field(
        default_factory=list,
        description="Addresses of minute takers invited to meetings, comma separated.",
    )
    duty_chair: str = Field(
        "",
        description="Address emailed when a social worker asks for a threshold discussion "
        "(the duty chair, or the chairs' shared mailbox). Unset: it waits on the status page.",
    )
    sweep_interval: timedelta = Field(
        timedelta(minutes=2),
        description="How often the mailbox is swept for requests as a safety net (ISO 8601: PT2M).",
    )
    misfire_grace: timedelta = Field(
        timedelta(hours=1),
        description="How late a missed job may still run after a restart (PT1H); "
        "later ones become alerts.",
    )

    @field_validator("chairs", "minute_takers", mode="before")
    @classmethod
    def _comma_list(cls, value: object) -> object:
        if isinstance(value, str):
            return [part.strip() for part in value.split(",") if part.strip()]
        return value

    @field_validator("duty_chair")
    @classmethod
    def _one_address(cls, value: str) -> str:
        value = value.strip()
        if value and not is_address(value):
            raise ValueError("must be one email address, or empty")
        return value


class TeamsSettings(BaseModel):
    """The Teams bot (Microsoft 365 Agents SDK) identity."""

    app_id: str = Field("", description="Bot's Microsoft app id.")
    app_password: SecretStr | None = Field(None, description="Bot's client secret.")
    tenant_id: str = Field("", description="Tenant of the bot registration.")
    anonymous_allowed: bool | None = Field(
        None,
        description="Accept unauthenticated activities. Unset: on in sandbox mode only.",
    )


class StoreSettings(BaseModel):
    """Where confbot keeps its records and scheduled jobs."""

    url: str = Field(
        "sqlite:///./var/confbot.sqlite3",
        description="SQLAlchemy URL: SQLite by default, postgresql+psycopg://... in production.",
    )

    @field_validator("url")
    @classmethod
    def _known_scheme(cls, value: str) -> str:
        scheme = value.split(":", 1)[0]
        if not (scheme.startswith("sqlite") or scheme.startswith("postgresql")):
            raise ValueError("must start with sqlite:// or postgresql+psycopg://")
        return value


class WebSettings(BaseModel):
    """The web server: status page, chair console, API, bot and webhook endpoints."""

    host: str = Field("127.0.0.1", description="Address to listen on.")
    port: int = Field(8080, description="Port to listen on.")
    public_url: str = Field("", description="URL people and Graph use to reach confbot.")
    session_secret: SecretStr | None = Field(
        None, description="Key for session cookies; generated into ./var when unset."
    )
    oidc_tenant_id: str = Field("", description="Entra tenant for staff sign-in.")
    oidc_client_id: str = Field("", description="Entra app (client) id for staff sign-in.")
    oidc_client_secret: SecretStr | None = Field(
        None, description="Its client secret. With all three set, the sandbox link is off."
    )
    oidc_app_roles: str = Field(
        "",
        description="App role to confbot role, e.g. Confbot.Admin=admin,Confbot.MTS=mts,"
        "Confbot.Chair=chair,Confbot.Manager=manager (these are the defaults).",
    )
    oidc_group_roles: str = Field(
        "", description="Entra group object id to role, e.g. <group id>=mts,<group id>=chair."
    )
    chair_weekly_limit: int = Field(
        4, description="Conferences a chair can take in a week, for the capacity page."
    )


class Settings(BaseSettings):
    """Every setting confbot reads. Nested sections use ``__``: ``CONFBOT_STORE__URL``."""

    model_config = SettingsConfigDict(
        env_prefix=ENV_PREFIX,
        env_nested_delimiter=NESTED_DELIMITER,
        env_file=".env",
        extra="ignore",
    )

    data_dir: Path = Field(Path("var"), description="Folder for the SQLite file, tokens, uploads.")
    log_level: Literal["DEBUG", "INFO", "WARNING", "ERROR"] = Field(
        "INFO", description="Log level."
    )
    playbook_dir: Path | None = Field(None, description="Extra folder of council playbooks.")
    mailboxes: list[MailboxSettings] = Field(
        default_factory=list,
        description="The request mailboxes, as JSON, e.g. "
        '`[{"address": "cp.requests@example.org", "playbook": "northmoor"}, '
        '{"address": "lac.reviews@example.org", "by_type": {"LAC": "northmoor-lac"}}]`. '
        "`by_type` picks the playbook by conference type (ICPC, RCPC, TI, LAC); `playbook` "
        "takes the rest. The first mailbox sends mail that belongs to no conference. Unset: "
        f"one mailbox, {ENV_PREFIX}GRAPH__REQUEST_MAILBOX with {ENV_PREFIX}CONFERENCE__PLAYBOOK.",
    )
    conference: ConferenceSettings = Field(default_factory=ConferenceSettings)
    graph: GraphSettings = Field(default_factory=GraphSettings)
    teams: TeamsSettings = Field(default_factory=TeamsSettings)
    store: StoreSettings = Field(default_factory=StoreSettings)
    web: WebSettings = Field(default_factory=WebSettings)

    @model_validator(mode="after")
    def _consistent(self) -> Settings:
        self.graph.check()
        self._check_mailbox_sources()
        check_mailboxes(self.request_mailboxes(), self._mailbox_names())
        return self

    def _check_mailbox_sources(self) -> None:
        """Refuse the old single-mailbox settings beside the list, rather than ignore them."""
        if not self.mailboxes:
            return
        for section, field, variable in (
            (self.graph, "request_mailbox", "GRAPH__REQUEST_MAILBOX"),
            (self.conference, "playbook", "CONFERENCE__PLAYBOOK"),
        ):
            if field in section.model_fields_set:
                raise ConfigError(
                    f"{ENV_PREFIX}{variable}: not used when {MAILBOXES_VAR} is set; "
                    f"put it in {MAILBOXES_VAR} and unset it"
                )

    def _mailbox_names(self) -> list[str]:
        if self.mailboxes:
            return [f"{MAILBOXES_VAR}[{n}]" for n in range(len(self.mailboxes))]
        return [f"{ENV_PREFIX}GRAPH__REQUEST_MAILBOX"]

    @property
    def sandbox_mode(self) -> bool:
        """True when no tenant is configured: Graph calls go to the local sandbox tenant."""
        return not self.graph.has_credentials

    def request_mailboxes(self) -> tuple[RequestMailbox, ...]:
        """Every request mailbox; today's single-mailbox settings make a list of one."""
        if self.mailboxes:
            return tuple(m.as_mailbox() for m in self.mailboxes)
        return (
            RequestMailbox(
                address=self.graph.request_mailbox.strip(),
                playbook=self.conference.playbook.strip() or None,
            ),
        )

    @property
    def default_mailbox(self) -> str:
        """The first mailbox's address: it sends the mail that belongs to no conference."""
        return self.request_mailboxes()[0].address

    def check_playbooks(self, known: Collection[str]) -> None:
        """Refuse start-up when a mailbox names a playbook not in ``known``, naming the setting."""
        names = None if self.mailboxes else [f"{ENV_PREFIX}CONFERENCE__PLAYBOOK"]
        check_playbooks(self.request_mailboxes(), known, names)

    def playbook_names(self) -> tuple[str, ...]:
        """Every playbook the mailboxes book under, each once, in the order configured."""
        names = [name for mailbox in self.request_mailboxes() for name in mailbox.playbooks]
        return tuple(dict.fromkeys(names))


def check_mailboxes(mailboxes: Sequence[RequestMailbox], names: Sequence[str]) -> None:
    """Refuse a mailbox list that cannot work; ``names[n]`` is how mailbox ``n`` was set."""
    problem = mailbox_problem(mailboxes, names)
    if problem is not None:
        raise ConfigError(problem)


def check_playbooks(
    mailboxes: Sequence[RequestMailbox],
    known: Collection[str],
    names: Sequence[str] | None = None,
) -> None:
    """Refuse a mailbox that names a playbook the service does not have, in one line.

    ``names[n]`` is the setting that holds mailbox ``n``: ``CONFBOT_MAILBOXES[n]`` unless
    given (``Settings.check_playbooks`` gives the single-mailbox setting's name).
    """
    problem = playbook_problem(mailboxes, known, names, MAILBOXES_VAR)
    if problem is not None:
        raise ConfigError(problem)


def load_settings(**overrides: Any) -> Settings:
    """Read the settings, turning validation errors into one line naming the variable."""
    try:
        return Settings(**overrides)
    except ValidationError as err:
        first = err.errors()[0]
        raise ConfigError(f"{_variable(first['loc'])}: {first['msg']}") from err
    except SettingsError as err:
        # pydantic-settings could not decode a complex value (CONFBOT_MAILBOXES is JSON).
        field = re.search(r'field "(\w+)"', str(err))
        if field is None:
            raise ConfigError(str(err)) from err
        raise ConfigError(f"{_variable((field[1],))}: is not valid JSON") from err


def _variable(loc: Sequence[int | str]) -> str:
    """``("web", "port")`` -> ``CONFBOT_WEB__PORT``; ``("mailboxes", 1, "address")`` ->
    ``CONFBOT_MAILBOXES[1].address``: inside a JSON value, the path within it."""
    name = ENV_PREFIX.rstrip("_")
    in_json = False
    for part in loc:
        if isinstance(part, int):
            name += f"[{part}]"
            in_json = True
        elif in_json:
            name += f".{part}"
        else:
            name += ("_" if name == ENV_PREFIX.rstrip("_") else NESTED_DELIMITER) + part.upper()
    return name


def masked(settings: Settings) -> dict[str, Any]:
    """The effective settings as plain data, with every secret shown as ``**********``."""
    return settings.model_dump(mode="json")


def _shown(default: object) -> str:
    if default in (None, "", []):
        return ""
    if isinstance(default, timedelta):
        seconds = int(default.total_seconds())
        for unit, size in (("H", 3600), ("M", 60)):
            if seconds % size == 0:
                return f"PT{seconds // size}{unit}"
        return f"PT{seconds}S"
    return str(default)


def reference() -> list[tuple[str, str, bool, str]]:
    """Every setting as (environment variable, default, secret?, description), for the README."""
    rows: list[tuple[str, str, bool, str]] = []

    def walk(model: type[BaseModel], prefix: str) -> None:
        for name, field in model.model_fields.items():
            annotation = field.annotation
            if isinstance(annotation, type) and issubclass(annotation, BaseModel):
                walk(annotation, f"{prefix}{name.upper()}{NESTED_DELIMITER}")
                continue
            default = field.get_default(call_default_factory=True)
            shown = _shown(default)
            secret = "SecretStr" in str(annotation)
            rows.append((f"{prefix}{name.upper()}", shown, secret, field.description or ""))

    walk(Settings, ENV_PREFIX)
    return rows
