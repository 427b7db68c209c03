"""The web app's own settings, read from ``bot.settings`` with safe defaults for any not there."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from aiohttp import web

DEFAULT_CHAIR_WEEKLY_LIMIT = 4


@dataclass(frozen=True, slots=True)
class OidcConfig:
    """Microsoft Entra ID sign-in: the app registration and how its claims map to roles."""

    tenant_id: str
    client_id: str
    client_secret: str
    # App role values (the "roles" claim) or group object ids (the "groups" claim) -> our role.
    role_map: Mapping[str, str] = field(default_factory=dict)
    authority_host: str = "https://login.microsoftonline.com"

    @property
    def authority(self) -> str:
        """The tenant's authority URL."""
        return f"{self.authority_host.rstrip('/')}/{self.tenant_id}"


@dataclass(frozen=True, slots=True)
class WebConfig:
    """Everything the pages need from the settings."""

    public_url: str = ""
    chair_weekly_limit: int = DEFAULT_CHAIR_WEEKLY_LIMIT
    # Path prefixes Teams may frame (the chair console).
    chair_console_prefixes: tuple[str, ...] = ("/console",)
    oidc: OidcConfig | None = None
    # The sandbox sign-in link works only when no Entra sign-in is configured.
    sandbox_sign_in: bool = True
    # Chair (lower case) -> the chairs whose conferences they also see, while covering.
    chair_cover: Mapping[str, frozenset[str]] = field(default_factory=dict)

    def chairs_seen_by(self, chair: str) -> frozenset[str]:
        """A chair's own address and those of the chairs they cover, in lower case."""
        own = chair.strip().lower()
        return frozenset({own} | set(self.chair_cover.get(own, frozenset())))

    @classmethod
    def from_settings(cls, settings: Any) -> WebConfig:
        """Read the web settings; fields not yet in ``bot.settings`` fall back to defaults."""
        web_settings = getattr(settings, "web", None)
        oidc = None
        tenant = _text(web_settings, "oidc_tenant_id")
        client = _text(web_settings, "oidc_client_id")
        secret = _text(web_settings, "oidc_client_secret")
        if tenant and client and secret:
            role_map = {
                **_pairs(getattr(web_settings, "oidc_app_roles", None)),
                **_pairs(getattr(web_settings, "oidc_group_roles", None)),
            }
            oidc = OidcConfig(tenant, client, secret, role_map)
        return cls(
            public_url=_text(web_settings, "public_url"),
            chair_weekly_limit=int(
                getattr(web_settings, "chair_weekly_limit", DEFAULT_CHAIR_WEEKLY_LIMIT)
            ),
            oidc=oidc,
            sandbox_sign_in=oidc is None,
            chair_cover=cover_map(_text(web_settings, "chair_cover")),
        )


def cover_map(text: str) -> dict[str, frozenset[str]]:
    """``cover@x=chair@x,cover@x=other@x`` as each covering chair's covered chairs."""
    cover: dict[str, set[str]] = {}
    for item in (part.strip() for part in text.split(",")):
        by, _, whom = (s.strip().lower() for s in item.partition("="))
        if by and whom:
            cover.setdefault(by, set()).add(whom)
    return {by: frozenset(whom) for by, whom in cover.items()}


def _text(section: Any, name: str) -> str:
    value = getattr(section, name, None)
    if value is None:
        return ""
    if hasattr(value, "get_secret_value"):
        return str(value.get_secret_value())
    return str(value)


def _pairs(value: Any) -> dict[str, str]:
    """A mapping from a dict, or from "claim=role,claim=role" text."""
    if not value:
        return {}
    if isinstance(value, Mapping):
        return {str(k): str(v) for k, v in value.items()}
    pairs = {}
    for item in str(value).split(","):
        claim, _, role = item.partition("=")
        if claim.strip() and role.strip():
            pairs[claim.strip()] = role.strip()
    return pairs


CONFIG_KEY: web.AppKey[WebConfig] = web.AppKey("web_config", WebConfig)
