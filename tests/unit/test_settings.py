"""Settings: sandbox by default, never a silent fallback, secrets never printed."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from bot.settings import ConfigError, Settings, load_settings, masked, reference


@pytest.fixture(autouse=True)
def _clean_env(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    for key in list(os.environ):
        if key.startswith("CONFBOT_"):
            monkeypatch.delenv(key)
    monkeypatch.chdir(tmp_path)  # no stray .env


def test_no_tenant_credentials_means_sandbox_mode() -> None:
    settings = load_settings()
    assert settings.sandbox_mode
    assert settings.store.url == "sqlite:///./var/confbot.sqlite3"


def test_full_tenant_credentials_leave_sandbox_mode(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("CONFBOT_GRAPH__TENANT_ID", "00000000-0000-0000-0000-000000000001")
    monkeypatch.setenv("CONFBOT_GRAPH__CLIENT_ID", "00000000-0000-0000-0000-000000000002")
    monkeypatch.setenv("CONFBOT_GRAPH__CLIENT_SECRET", "not-a-real-secret")
    assert not load_settings().sandbox_mode


def test_partial_credentials_are_refused_rather_than_falling_back_to_the_sandbox(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("CONFBOT_GRAPH__TENANT_ID", "00000000-0000-0000-0000-000000000001")
    with pytest.raises(ConfigError, match="CONFBOT_GRAPH__CLIENT_ID"):
        load_settings()


def test_managed_identity_needs_no_secret(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("CONFBOT_GRAPH__MANAGED_IDENTITY", "true")
    assert not load_settings().sandbox_mode


def test_nested_settings_read_from_env_file(tmp_path: Path) -> None:
    (tmp_path / ".env").write_text("CONFBOT_WEB__PORT=9123\n")
    assert load_settings().web.port == 9123


def test_bad_value_names_the_environment_variable(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("CONFBOT_WEB__PORT", "eighty")
    with pytest.raises(ConfigError, match=r"^CONFBOT_WEB__PORT: "):
        load_settings()


def test_masked_settings_never_show_secrets() -> None:
    settings = Settings.model_validate(
        {
            "graph": {"tenant_id": "t", "client_id": "c", "client_secret": "hunter2-secret"},
            "web": {"session_secret": "cookie-secret"},
        }
    )
    shown = json.dumps(masked(settings))
    assert "hunter2-secret" not in shown and "cookie-secret" not in shown
    assert "**********" in shown


def test_config_show_prints_masked_settings(tmp_path: Path) -> None:
    env = {k: v for k, v in os.environ.items() if not k.startswith("CONFBOT_")}
    env.update(
        CONFBOT_GRAPH__TENANT_ID="t",
        CONFBOT_GRAPH__CLIENT_ID="c",
        CONFBOT_GRAPH__CLIENT_SECRET="hunter2-secret",
    )
    confbot = str(Path(sys.executable).parent / "confbot")
    result = subprocess.run(
        [confbot, "config", "show"],
        env=env,
        cwd=tmp_path,
        capture_output=True,
        text=True,
        check=True,
    )
    assert "hunter2-secret" not in result.stdout
    assert "mode: tenant" in result.stdout


def test_reference_lists_every_setting_and_flags_secrets() -> None:
    rows = {name: secret for name, _default, secret, _doc in reference()}
    assert rows["CONFBOT_STORE__URL"] is False
    assert rows["CONFBOT_GRAPH__CLIENT_SECRET"] is True
    assert rows["CONFBOT_WEB__SESSION_SECRET"] is True
