"""The settings' sections (Graph, conference, Teams, store, web) and the checks on each field.

``bot.settings`` assembles them and reads the environment; each field carries its own
bounds here, so a bad value is refused in one line naming its variable.
"""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path
from typing import Annotated

from pydantic import AfterValidator, BaseModel, Field, SecretStr, field_validator
from pydantic_settings import NoDecode

from bot import settings_checks as checks
from bot.core.addresses import is_loopback_url
from bot.settings_mailboxes import is_address

ENV_PREFIX = "CONFBOT_"
NESTED_DELIMITER = "__"
MAILBOXES_VAR = f"{ENV_PREFIX}MAILBOXES"


class ConfigError(Exception):
    """The configuration cannot work; the message names the setting."""


def _between(low: timedelta, high: timedelta) -> AfterValidator:
    return AfterValidator(lambda value: checks.within(value, low, high))


# Types that carry their own bounds, so each refusal names its setting.
Port = Annotated[int, AfterValidator(checks.port)]
WebUrl = Annotated[str, AfterValidator(checks.web_url)]
ExistingFile = Annotated[Path | None, AfterValidator(checks.existing_file)]
RolePairs = Annotated[str, AfterValidator(checks.role_pairs)]
CoverPairs = Annotated[str, AfterValidator(checks.cover_pairs)]
Addresses = Annotated[list[str], NoDecode, AfterValidator(checks.addresses)]


class GraphSettings(BaseModel):
    """How confbot reaches Microsoft Graph. With no tenant credentials it runs the sandbox."""

    tenant_id: str = Field("", description="Entra tenant id of the council.")
    client_id: str = Field("", description="Application (client) id of confbot's app registration.")
    client_secret: SecretStr | None = Field(
        None, description="Client secret (prefer a certificate)."
    )
    certificate_path: ExistingFile = Field(None, description="PEM certificate with private key.")
    certificate_password: SecretStr | None = Field(None, description="Password of the certificate.")
    managed_identity: bool = Field(False, description="Use the Azure managed identity.")
    managed_identity_client_id: str = Field("", description="User-assigned identity's client id.")
    request_mailbox: str = Field(
        "cp.requests@example.org",
        description="The shared mailbox that receives conference requests "
        f"(when {MAILBOXES_VAR} is unset).",
    )
    base_url: WebUrl = Field(
        "",
        description="Graph base URL. Unset: Microsoft's, or the embedded sandbox in sandbox mode. "
        "Without tenant credentials it may only be a sandbox on this machine.",
    )
    sandbox_port: Port = Field(
        0, description="Port of the embedded sandbox tenant (0: any free one)."
    )
    sandbox_seed: ExistingFile = Field(None, description="YAML of fictional sandbox users.")
    attendance_reports: bool = Field(
        True,
        description="Read each Teams meeting's attendance report for the minutes (needs "
        "OnlineMeetingArtifact.Read.All and a Teams application access policy for the chairs). "
        "false: attendance rests on the run sheet alone.",
    )
    unclear_send_wait: Annotated[timedelta, _between(timedelta(seconds=1), timedelta(days=1))] = (
        Field(
            timedelta(minutes=2),
            description="How long an email whose send got no answer (a timeout, a crash) is given "
            "to show in Drafts or Sent Items before confbot decides it never went and sends it "
            "(ISO 8601: PT2M; from PT1S to P1D).",
        )
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
            if self.base_url and not is_loopback_url(self.base_url):
                raise ConfigError(
                    f"{ENV_PREFIX}GRAPH__BASE_URL: without tenant credentials it must be a "
                    "sandbox on this machine, e.g. http://127.0.0.1:8081/v1.0 "
                    f"(got {self.base_url!r})"
                )
            return
        if self.base_url and not self.base_url.startswith("https://"):
            # A bearer token must never travel in clear text.
            raise ConfigError(
                f"{ENV_PREFIX}GRAPH__BASE_URL: with tenant credentials it must start with https://"
            )
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
    chairs: Addresses = Field(
        default_factory=list,
        description="Addresses of the chairs (IROs) confbot may allocate, comma separated. "
        "Empty in sandbox mode: the sandbox's chairs.",
    )
    minute_takers: Addresses = Field(
        default_factory=list,
        description="Addresses of minute takers invited to meetings, comma separated.",
    )
    duty_chair: str = Field(
        "",
        description="Address emailed when a social worker asks for a threshold discussion "
        "(the duty chair, or the chairs' shared mailbox). Unset: it waits on the status page.",
    )
    sweep_interval: Annotated[timedelta, _between(timedelta(seconds=1), timedelta(days=1))] = Field(
        timedelta(minutes=2),
        description="How often the mailbox is swept for requests as a safety net "
        "(ISO 8601: PT2M; from PT1S to P1D).",
    )
    misfire_grace: Annotated[timedelta, _between(timedelta(minutes=1), timedelta(days=7))] = Field(
        timedelta(hours=1),
        description="How late a missed job may still run after a restart (PT1H; from PT1M "
        "to P7D); later ones become alerts.",
    )

    @field_validator("chairs", "minute_takers", mode="before")
    @classmethod
    def _comma_list(cls, value: object) -> object:
        if isinstance(value, str) and value.strip().startswith("["):
            return checks.json_list(value)  # as CONFBOT_MAILBOXES is written
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

    host: Annotated[str, AfterValidator(checks.host)] = Field(
        "127.0.0.1", description="Address to listen on."
    )
    port: Port = Field(8080, description="Port to listen on (0: any free one).")
    public_url: WebUrl = Field(
        "", description="URL people and Graph use to reach confbot, with its https:// scheme."
    )
    session_secret: SecretStr | None = Field(
        None,
        description="Key that signs CSRF tokens and the Entra sign-in cookie (sessions are"
        f" kept in the database), at least {checks.SECRET_MIN_CHARS} characters; generated"
        " into ./var when unset.",
    )
    oidc_tenant_id: str = Field("", description="Entra tenant for staff sign-in.")
    oidc_client_id: str = Field("", description="Entra app (client) id for staff sign-in.")
    oidc_client_secret: SecretStr | None = Field(
        None, description="Its client secret. With all three set, the sandbox link is off."
    )
    oidc_app_roles: RolePairs = Field(
        "",
        description="App role to confbot role, e.g. Confbot.Admin=admin,Confbot.MTS=mts,"
        "Confbot.Chair=chair,Confbot.Manager=manager (these are the defaults).",
    )
    oidc_group_roles: RolePairs = Field(
        "", description="Entra group object id to role, e.g. <group id>=mts,<group id>=chair."
    )
    chair_weekly_limit: int = Field(
        4, ge=1, le=50, description="Conferences a chair can take in a week, for the capacity page."
    )
    chair_cover: CoverPairs = Field(
        "",
        description="Chairs who cover others, as cover=covered pairs: "
        "a.chair@council.example=b.chair@council.example. A chair sees their own conferences "
        "and those of the chairs they cover, and no others.",
    )

    @field_validator("session_secret")
    @classmethod
    def _long_secret(cls, value: SecretStr | None) -> SecretStr | None:
        if value is not None:
            checks.secret(value.get_secret_value())
        return value

    def check(self) -> None:
        """Refuse a half-configured Entra sign-in instead of silently keeping the sandbox link."""
        parts = {
            "OIDC_TENANT_ID": self.oidc_tenant_id,
            "OIDC_CLIENT_ID": self.oidc_client_id,
            "OIDC_CLIENT_SECRET": self.oidc_client_secret,
        }
        missing = [f"{ENV_PREFIX}WEB__{name}" for name, value in parts.items() if not value]
        if missing and len(missing) < len(parts):
            raise ConfigError(
                "Entra sign-in is only partly set; also set "
                + ", ".join(missing)
                + " (or unset them all to keep the sandbox sign-in link)"
            )
