"""Configuration: the one place that reads the environment (prefix ``CONFBOT_``, ``.env`` too)."""

from __future__ import annotations

import difflib
import os
import re
from collections.abc import Collection, Mapping, Sequence
from datetime import timedelta
from pathlib import Path
from typing import Annotated, Any, Literal

from pydantic import (
    AfterValidator,
    BaseModel,
    BeforeValidator,
    Field,
    ValidationError,
    model_validator,
)
from pydantic_settings import BaseSettings, SettingsConfigDict
from pydantic_settings.exceptions import SettingsError

from bot import settings_checks as checks
from bot.core.mailbox import RequestMailbox
from bot.settings_mailboxes import (
    MailboxSettings,
    mailbox_problem,
    playbook_problem,
)
from bot.settings_retention import RetentionSettings
from bot.settings_sections import (
    ENV_PREFIX,
    MAILBOXES_VAR,
    NESTED_DELIMITER,
    ConferenceSettings,
    ConfigError,
    GraphSettings,
    StoreSettings,
    TeamsSettings,
    WebSettings,
)

__all__ = [
    "ENV_PREFIX",
    "ConferenceSettings",
    "ConfigError",
    "GraphSettings",
    "Settings",
    "StoreSettings",
    "TeamsSettings",
    "WebSettings",
    "check_mailboxes",
    "check_playbooks",
    "load_settings",
    "masked",
    "reference",
]


class Settings(BaseSettings):
    """Every setting confbot reads. Nested sections use ``__``: ``CONFBOT_STORE__URL``."""

    model_config = SettingsConfigDict(
        env_prefix=ENV_PREFIX,
        env_nested_delimiter=NESTED_DELIMITER,
        env_file=".env",
        extra="ignore",
    )

    data_dir: Annotated[
        Path,
        BeforeValidator(checks.not_empty),
        AfterValidator(lambda path: checks.folder(path, must_exist=False)),
    ] = Field(Path("var"), description="Folder for the SQLite file, tokens, uploads.")
    log_level: Annotated[
        Literal["DEBUG", "INFO", "WARNING", "ERROR"],
        BeforeValidator(lambda value: value.strip().upper() if isinstance(value, str) else value),
    ] = Field("INFO", description="Log level.")
    playbook_dir: Annotated[
        Path | None,
        BeforeValidator(checks.not_empty),
        AfterValidator(lambda path: path and checks.folder(path, must_exist=True)),
    ] = Field(None, description="Extra folder of council playbooks.")
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
    retention: RetentionSettings = Field(default_factory=RetentionSettings)

    @model_validator(mode="after")
    def _consistent(self) -> Settings:
        self.graph.check()
        self.web.check()
        self._check_mailbox_sources()
        if not self.mailboxes and not self.conference.playbook.strip():
            raise ConfigError(
                f"{ENV_PREFIX}CONFERENCE__PLAYBOOK: must name a playbook (a bundled one, such as "
                "lancashire, or a path to a YAML file)"
            )
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
    check_variable_names(os.environ)
    try:
        return Settings(**overrides)
    except ValidationError as err:
        first = err.errors()[0]
        message = first["msg"].removeprefix("Value error, ")
        raise ConfigError(f"{_variable(first['loc'])}: {message}") from err
    except SettingsError as err:
        # pydantic-settings could not decode a complex value (CONFBOT_MAILBOXES is JSON).
        field = re.search(r'field "(\w+)"', str(err))
        if field is None:
            raise ConfigError(str(err)) from err
        raise ConfigError(f"{_variable((field[1],))}: is not valid JSON") from err


def check_variable_names(environ: Mapping[str, str]) -> None:
    """Refuse a misspelt variable in a settings section (``CONFBOT_WEB__PROT``), never ignore it.

    Only names inside a section are judged: other ``CONFBOT_`` variables (the deployment's
    own, the tests') may well be meant for something else.
    """
    known = {name for name, *_ in reference()}
    sections = {name.split(NESTED_DELIMITER)[0] for name in known if NESTED_DELIMITER in name}
    for variable in sorted(environ):
        name = variable.upper()
        if NESTED_DELIMITER not in name or name in known:
            continue
        if name.split(NESTED_DELIMITER)[0] in sections:
            near = difflib.get_close_matches(name, sorted(known), n=1)
            hint = f"; did you mean {near[0]}?" if near else ""
            raise ConfigError(f"{variable}: not a confbot setting{hint}")


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
        return checks.iso_duration(default)
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
