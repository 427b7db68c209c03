"""The Agents SDK's connection settings: Bot Framework tokens in production, anonymous locally."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from microsoft_agents.activity import load_configuration_from_env

_PREFIX = "CONNECTIONS__SERVICE_CONNECTION__SETTINGS__"


class TeamsConfigError(ValueError):
    """The bot's Entra app registration is missing, and anonymous use was not asked for."""

    def __init__(self) -> None:
        super().__init__(
            f"set {_PREFIX}CLIENTID, {_PREFIX}CLIENTSECRET and {_PREFIX}TENANTID for the "
            "Teams bot, or allow anonymous use for local development only"
        )


def agents_configuration(environ: Mapping[str, str], *, anonymous: bool) -> dict[str, Any]:
    """The SDK configuration from ``CONNECTIONS__...`` variables.

    Production (``anonymous=False``) must have a client id, so every request's Bot Framework
    token is validated; local development and the Playground run anonymous.
    """
    relevant = {k: v for k, v in environ.items() if k.startswith(("CONNECTIONS", "AGENT"))}
    config = load_configuration_from_env(relevant)
    settings = (
        config.setdefault("CONNECTIONS", {})
        .setdefault("SERVICE_CONNECTION", {})
        .setdefault("SETTINGS", {})
    )
    if anonymous:
        settings["ANONYMOUS_ALLOWED"] = True
    else:
        settings["ANONYMOUS_ALLOWED"] = False
        if not settings.get("CLIENTID"):
            raise TeamsConfigError()
    return config
