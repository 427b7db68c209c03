"""Settings: sandbox by default, never a silent fallback, secrets never printed."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from bot.core.mailbox import RequestMailbox
from bot.settings import (
    ConfigError,
    Settings,
    check_playbooks,
    load_settings,
    masked,
    reference,
)


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


MAILBOXES = (
    '[{"address": "cp.requests@example.org", "playbook": "northmoor"},'
    ' {"address": "lac.reviews@example.org", "by_type": {"LAC": "northmoor-lac"}}]'
)


def test_mailboxes_are_read_from_json_in_the_order_given(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("CONFBOT_MAILBOXES", MAILBOXES)
    settings = load_settings()

    assert settings.request_mailboxes() == (
        RequestMailbox("cp.requests@example.org", playbook="northmoor"),
        RequestMailbox("lac.reviews@example.org", by_type=(("LAC", "northmoor-lac"),)),
    )
    assert settings.default_mailbox == "cp.requests@example.org"
    assert settings.playbook_names() == ("northmoor", "northmoor-lac")


def test_mailboxes_can_be_set_in_the_env_file(tmp_path: Path) -> None:
    (tmp_path / ".env").write_text(f"CONFBOT_MAILBOXES='{MAILBOXES}'\n")
    assert [m.address for m in load_settings().request_mailboxes()] == [
        "cp.requests@example.org",
        "lac.reviews@example.org",
    ]


def test_without_mailboxes_the_single_mailbox_settings_make_a_list_of_one(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("CONFBOT_GRAPH__REQUEST_MAILBOX", "conference.requests@example.org")
    monkeypatch.setenv("CONFBOT_CONFERENCE__PLAYBOOK", "portsmouth")
    settings = load_settings()

    assert settings.request_mailboxes() == (
        RequestMailbox("conference.requests@example.org", playbook="portsmouth"),
    )
    assert settings.default_mailbox == "conference.requests@example.org"
    assert settings.playbook_names() == ("portsmouth",)


def test_defaults_give_one_mailbox_with_the_default_playbook() -> None:
    assert load_settings().request_mailboxes() == (
        RequestMailbox("cp.requests@example.org", playbook="lancashire"),
    )


@pytest.mark.parametrize(
    ("value", "error"),
    [
        (
            '[{"address": "cp requests", "playbook": "a"}]',
            r"^CONFBOT_MAILBOXES\[0\]: 'cp requests' ",
        ),
        (
            '[{"address": "a@example.org", "playbook": "a"},'
            ' {"address": "A@Example.org", "playbook": "b"}]',
            r"^CONFBOT_MAILBOXES\[1\]: A@Example.org is already set in CONFBOT_MAILBOXES\[0\]",
        ),
        (
            '[{"address": "a@example.org", "by_type": {"LAK": "a"}}]',
            r"^CONFBOT_MAILBOXES\[0\]\.by_type\.LAK: not a conference type \(known: ICPC, ",
        ),
        ('[{"address": "a@example.org"}]', r"^CONFBOT_MAILBOXES\[0\]: give it a playbook"),
        ('[{"address": "a@example.org", "playbook": " "}]', r"^CONFBOT_MAILBOXES\[0\]: give it"),
        ('[{"playbook": "a"}]', r"^CONFBOT_MAILBOXES\[0\]\.address: "),
        ('[{"address": "a@example.org", "by_typ": {}}]', r"^CONFBOT_MAILBOXES\[0\]\.by_typ: "),
        ('[{"address": "a@example.org",', r"^CONFBOT_MAILBOXES: is not valid JSON$"),
    ],
)
def test_a_mailbox_list_that_cannot_work_is_refused_naming_the_variable(
    monkeypatch: pytest.MonkeyPatch, value: str, error: str
) -> None:
    monkeypatch.setenv("CONFBOT_MAILBOXES", value)
    with pytest.raises(ConfigError, match=error):
        load_settings()


def test_a_single_mailbox_that_is_not_an_address_names_its_own_variable(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("CONFBOT_GRAPH__REQUEST_MAILBOX", "Conference Requests")
    with pytest.raises(ConfigError, match=r"^CONFBOT_GRAPH__REQUEST_MAILBOX: 'Conference"):
        load_settings()


@pytest.mark.parametrize(
    "variable", ["CONFBOT_GRAPH__REQUEST_MAILBOX", "CONFBOT_CONFERENCE__PLAYBOOK"]
)
def test_single_mailbox_settings_beside_the_list_are_refused_not_ignored(
    monkeypatch: pytest.MonkeyPatch, variable: str
) -> None:
    monkeypatch.setenv("CONFBOT_MAILBOXES", MAILBOXES)
    monkeypatch.setenv(variable, "x@example.org")
    with pytest.raises(ConfigError, match=f"^{variable}: not used when CONFBOT_MAILBOXES is set"):
        load_settings()


def test_an_unknown_playbook_in_by_type_is_one_line_naming_the_setting() -> None:
    mailboxes = (
        RequestMailbox("cp.requests@example.org", playbook="northmoor"),
        RequestMailbox("lac.reviews@example.org", by_type=(("LAC", "nrthmoor-lac"),)),
    )
    with pytest.raises(ConfigError) as raised:
        check_playbooks(mailboxes, {"northmoor", "northmoor-lac"})

    assert str(raised.value) == (
        "CONFBOT_MAILBOXES[1].by_type.LAC: no playbook 'nrthmoor-lac' "
        "(known: northmoor, northmoor-lac)"
    )


def test_an_unknown_mailbox_playbook_names_the_mailbox_entry() -> None:
    mailboxes = (RequestMailbox("cp.requests@example.org", playbook="nothmoor"),)
    with pytest.raises(ConfigError, match=r"^CONFBOT_MAILBOXES\[0\]\.playbook: no playbook"):
        check_playbooks(mailboxes, {"northmoor"})


def test_known_playbooks_pass_the_check() -> None:
    mailboxes = (
        RequestMailbox("cp.requests@example.org", playbook="northmoor"),
        RequestMailbox("lac.reviews@example.org", by_type=(("LAC", "northmoor-lac"),)),
    )
    check_playbooks(mailboxes, {"northmoor", "northmoor-lac"})


def test_an_unknown_single_playbook_names_the_conference_playbook_variable(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("CONFBOT_CONFERENCE__PLAYBOOK", "lancshire")
    with pytest.raises(
        ConfigError, match=r"^CONFBOT_CONFERENCE__PLAYBOOK: no playbook 'lancshire'"
    ):
        load_settings().check_playbooks({"lancashire", "leeds"})


def test_reference_lists_the_mailboxes_setting_once() -> None:
    names = [name for name, *_ in reference()]
    assert names.count("CONFBOT_MAILBOXES") == 1
