"""Configuration: the one place that reads the environment (prefix ``CONFBOT_``, ``.env`` too)."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path
from typing import Annotated, Any, Literal

from pydantic import BaseModel, Field, SecretStr, ValidationError, field_validator, model_validator
from pydantic_settings import BaseSettings, NoDecode, SettingsConfigDict
from pydantic_settings.exceptions import SettingsError

ENV_PREFIX = "CONFBOT_"
NESTED_DELIMITER = "__"


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
        description="The shared mailbox that receives conference requests.",
    )
    base_url: str = Field(
        "",
        description="Graph base URL. Unset: Microsoft's, or the embedded sandbox in sandbox mode.",
    )
    sandbox_port: int = Field(
        0, description="Port of the embedded sandbox tenant (0: any free one)."
    )
    sandbox_seed: Path | None = Field(None, description="YAML of fictional sandbox users.")

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
        "lancashire", description="The playbook to run: a bundled name or a path to a YAML file."
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
    conference: ConferenceSettings = Field(default_factory=ConferenceSettings)
    graph: GraphSettings = Field(default_factory=GraphSettings)
    teams: TeamsSettings = Field(default_factory=TeamsSettings)
    store: StoreSettings = Field(default_factory=StoreSettings)
    web: WebSettings = Field(default_factory=WebSettings)

    @model_validator(mode="after")
    def _consistent(self) -> Settings:
        self.graph.check()
        return self

    @property
    def sandbox_mode(self) -> bool:
        """True when no tenant is configured: Graph calls go to the local sandbox tenant."""
        return not self.graph.has_credentials


def load_settings(**overrides: Any) -> Settings:
    """Read the settings, turning validation errors into one line naming the variable."""
    try:
        return Settings(**overrides)
    except ValidationError as err:
        first = err.errors()[0]
        loc = [str(part) for part in first["loc"]]
        name = ENV_PREFIX + NESTED_DELIMITER.join(loc).upper()
        raise ConfigError(f"{name}: {first['msg']}") from err
    except SettingsError as err:
        raise ConfigError(str(err)) from err


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
