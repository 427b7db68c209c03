"""The web settings: read what bot.settings has, default the rest, map claims to roles."""

from __future__ import annotations

from types import SimpleNamespace

from pydantic import SecretStr

from bot.settings import Settings
from bot.web.config import DEFAULT_CHAIR_WEEKLY_LIMIT, WebConfig


def test_todays_settings_give_sandbox_sign_in_and_the_default_limit() -> None:
    config = WebConfig.from_settings(Settings())
    assert config.oidc is None and config.sandbox_sign_in
    assert config.chair_weekly_limit == DEFAULT_CHAIR_WEEKLY_LIMIT


def test_entra_settings_turn_off_the_sandbox_link_and_map_roles() -> None:
    web = SimpleNamespace(
        public_url="https://confbot.council.example",
        oidc_tenant_id="tenant",
        oidc_client_id="client",
        oidc_client_secret=SecretStr("secret"),
        oidc_app_roles="Confbot.Admin=admin, Confbot.Chair=chair",
        oidc_group_roles={"0f0e-group": "mts"},
        chair_weekly_limit=6,
    )
    config = WebConfig.from_settings(SimpleNamespace(web=web))
    assert config.oidc is not None and not config.sandbox_sign_in
    assert config.oidc.client_secret == "secret"
    assert config.oidc.authority == "https://login.microsoftonline.com/tenant"
    assert dict(config.oidc.role_map) == {
        "Confbot.Admin": "admin",
        "Confbot.Chair": "chair",
        "0f0e-group": "mts",
    }
    assert config.chair_weekly_limit == 6
