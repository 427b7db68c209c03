"""Settings: sandbox by default, never a silent fallback, secrets never printed."""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
from datetime import timedelta
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
            "web": {"session_secret": "cookie-secret-long-enough-to-sign-with"},
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


# A wide set of bad values: each must be refused in one line starting with its variable.
BAD_SETTINGS = [
    ("CONFBOT_CONFERENCE__SWEEP_INTERVAL", "PT0S", "must be at least PT1S (got PT0S)"),
    ("CONFBOT_CONFERENCE__SWEEP_INTERVAL", "-PT1M", "must be at least PT1S"),
    ("CONFBOT_CONFERENCE__SWEEP_INTERVAL", "P400D", "must be at most P1D"),
    ("CONFBOT_CONFERENCE__SWEEP_INTERVAL", "", "valid timedelta"),
    ("CONFBOT_CONFERENCE__SWEEP_INTERVAL", "soon", "valid timedelta"),
    ("CONFBOT_CONFERENCE__MISFIRE_GRACE", "PT0S", "must be at least PT1M"),
    ("CONFBOT_CONFERENCE__MISFIRE_GRACE", "P30D", "must be at most P7D"),
    ("CONFBOT_GRAPH__UNCLEAR_SEND_WAIT", "PT0S", "must be at least PT1S"),
    ("CONFBOT_GRAPH__UNCLEAR_SEND_WAIT", "-PT1S", "must be at least PT1S"),
    ("CONFBOT_GRAPH__BASE_URL", "localhost:9999", "starting with https://"),
    ("CONFBOT_GRAPH__BASE_URL", "ftp://graph.example.org", "starting with https://"),
    ("CONFBOT_GRAPH__BASE_URL", "http://graph.example.org/v1.0", "sandbox on this machine"),
    ("CONFBOT_WEB__PUBLIC_URL", "confbot.example.org", "starting with https://"),
    ("CONFBOT_WEB__PUBLIC_URL", "https://", "with a host name"),
    ("CONFBOT_WEB__PUBLIC_URL", "https://confbot.example.org:port", "with a valid port"),
    ("CONFBOT_WEB__PORT", "-1", "must be a port"),
    ("CONFBOT_WEB__PORT", "70000", "must be a port"),
    ("CONFBOT_WEB__PORT", "", "valid integer"),
    ("CONFBOT_WEB__PORT", "eighty", "valid integer"),
    ("CONFBOT_WEB__HOST", "", "must be an address to listen on"),
    ("CONFBOT_WEB__HOST", "not a host", "must be an address to listen on"),
    ("CONFBOT_WEB__CHAIR_WEEKLY_LIMIT", "0", "greater than or equal to 1"),
    ("CONFBOT_WEB__CHAIR_WEEKLY_LIMIT", "-3", "greater than or equal to 1"),
    ("CONFBOT_WEB__SESSION_SECRET", "short", "at least 32 characters"),
    ("CONFBOT_WEB__OIDC_APP_ROLES", "garbage", "is not claim=role"),
    ("CONFBOT_WEB__OIDC_GROUP_ROLES", "abc=superuser", "no role 'superuser'"),
    ("CONFBOT_WEB__PROT", "8080", "not a confbot setting; did you mean CONFBOT_WEB__PORT?"),
    ("CONFBOT_CONFERENCE__CHAIRS", "not-an-address", "'not-an-address' is not an email address"),
    ("CONFBOT_CONFERENCE__CHAIRS", '["chair@example.org"', "is not a valid JSON list"),
    ("CONFBOT_CONFERENCE__CHAIRS", "[1, 2]", "must be a JSON list of text"),
    ("CONFBOT_CONFERENCE__MINUTE_TAKERS", "a@example.org,bob", "'bob' is not an email address"),
    ("CONFBOT_CONFERENCE__DUTY_CHAIR", "duty", "must be one email address"),
    ("CONFBOT_CONFERENCE__PLAYBOOK", "", "must name a playbook"),
    ("CONFBOT_GRAPH__REQUEST_MAILBOX", "", "is not an email address"),
    ("CONFBOT_GRAPH__SANDBOX_PORT", "99999", "must be a port"),
    ("CONFBOT_GRAPH__SANDBOX_SEED", "/no/such/seed.yaml", "there is no file /no/such/seed.yaml"),
    ("CONFBOT_GRAPH__CERTIFICATE_PATH", "/no/such/cert.pem", "there is no file"),
    ("CONFBOT_GRAPH__MANAGED_IDENTITY", "maybe", "valid boolean"),
    ("CONFBOT_TEAMS__ANONYMOUS_ALLOWED", "maybe", "valid boolean"),
    ("CONFBOT_DATA_DIR", "", "must not be empty"),
    ("CONFBOT_DATA_DIR", "{file}", "is a file, not a folder"),
    ("CONFBOT_PLAYBOOK_DIR", "/no/such/folder", "there is no folder /no/such/folder"),
    ("CONFBOT_PLAYBOOK_DIR", "{file}", "is a file, not a folder"),
    ("CONFBOT_LOG_LEVEL", "LOUD", "Input should be 'DEBUG'"),
    ("CONFBOT_STORE__URL", "", "must start with sqlite://"),
    ("CONFBOT_MAILBOXES", "", "is not valid JSON"),
    ("CONFBOT_MAILBOXES", "{}", "valid list"),
    ("CONFBOT_MAILBOXES", "[1, 2]", "valid dictionary"),
    ("CONFBOT_CONFERENCE", "{", "is not valid JSON"),
]


@pytest.mark.parametrize(
    ("variable", "value", "said"), BAD_SETTINGS, ids=[f"{v}={x!r}" for v, x, _ in BAD_SETTINGS]
)
def test_every_bad_setting_is_refused_in_one_line_naming_the_variable(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path, variable: str, value: str, said: str
) -> None:
    a_file = tmp_path / "a-file"
    a_file.write_text("")
    monkeypatch.setenv(variable, value.replace("{file}", str(a_file)))
    with pytest.raises(ConfigError) as raised:
        load_settings()
    message = str(raised.value)
    assert re.match(rf"{re.escape(variable)}(\[\d+\])?: ", message), message  # [n]: an entry
    assert said in message and "\n" not in message


@pytest.mark.parametrize(
    ("variables", "named"),
    [
        ({"CONFBOT_WEB__OIDC_TENANT_ID": "t"}, "CONFBOT_WEB__OIDC_CLIENT_ID"),
        (
            {
                "CONFBOT_GRAPH__TENANT_ID": "t",
                "CONFBOT_GRAPH__CLIENT_ID": "c",
                "CONFBOT_GRAPH__CLIENT_SECRET": "s",
                "CONFBOT_GRAPH__BASE_URL": "http://graph.example.org/v1.0",
            },
            "CONFBOT_GRAPH__BASE_URL: with tenant credentials it must start with https://",
        ),
    ],
)
def test_settings_that_only_work_together_are_refused_naming_what_to_set(
    monkeypatch: pytest.MonkeyPatch, variables: dict[str, str], named: str
) -> None:
    for variable, value in variables.items():
        monkeypatch.setenv(variable, value)
    with pytest.raises(ConfigError, match=re.escape(named)):
        load_settings()


def test_good_values_at_the_bounds_and_friendly_spellings_are_accepted(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("CONFBOT_CONFERENCE__SWEEP_INTERVAL", "PT1S")
    monkeypatch.setenv("CONFBOT_CONFERENCE__MISFIRE_GRACE", "P7D")
    monkeypatch.setenv("CONFBOT_GRAPH__BASE_URL", "http://127.0.0.1:8081/v1.0")
    monkeypatch.setenv("CONFBOT_WEB__PORT", "0")
    monkeypatch.setenv("CONFBOT_WEB__PUBLIC_URL", "https://confbot.example.org")
    monkeypatch.setenv("CONFBOT_WEB__OIDC_APP_ROLES", "Confbot.Chair=chair, Confbot.MTS=mts")
    monkeypatch.setenv("CONFBOT_CONFERENCE__CHAIRS", '["a@example.org", "b@example.org"]')
    monkeypatch.setenv("CONFBOT_LOG_LEVEL", "debug")
    monkeypatch.setenv("CONFBOT_TEST_POSTGRES_URL", "not a setting, and not in a section")
    settings = load_settings()
    assert settings.conference.sweep_interval == timedelta(seconds=1)
    assert settings.conference.chairs == ["a@example.org", "b@example.org"]
    assert settings.log_level == "DEBUG"


def test_the_roles_a_claim_may_map_to_are_the_web_roles() -> None:
    from bot.settings_checks import ROLES
    from bot.web.security import UserRole

    assert set(ROLES) == {role.value for role in UserRole}


@pytest.mark.parametrize(
    ("variable", "value"),
    [
        ("CONFBOT_CONFERENCE__SWEEP_INTERVAL", "PT0S"),
        ("CONFBOT_GRAPH__BASE_URL", "localhost:9999"),
        ("CONFBOT_DATA_DIR", ""),
        ("CONFBOT_MAILBOXES", "[{"),
    ],
)
def test_a_bad_setting_is_one_line_from_the_command_never_a_traceback(
    tmp_path: Path, variable: str, value: str
) -> None:
    env = {k: v for k, v in os.environ.items() if not k.startswith("CONFBOT_")}
    env[variable] = value
    confbot = str(Path(sys.executable).parent / "confbot")
    for command in (["config", "show"], ["db", "upgrade"], ["serve"]):
        result = subprocess.run(
            [confbot, *command],
            env=env,
            cwd=tmp_path,
            capture_output=True,
            text=True,
            timeout=60,
            check=False,
        )
        assert result.returncode == 2, result.stderr
        assert result.stderr.startswith(f"confbot: {variable}: "), result.stderr
        assert result.stderr.count("\n") == 1 and "Traceback" not in result.stderr
