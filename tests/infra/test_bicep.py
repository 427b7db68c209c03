"""The Azure template declares every part the issue asks for, and leaks no secret."""

from __future__ import annotations

import re

from tests.infra.conftest import INFRA

BICEP = (INFRA / "bicep" / "main.bicep").read_text()


def _resource_types() -> set[str]:
    return set(re.findall(r"^resource \w+ '([^@']+)@", BICEP, flags=re.MULTILINE))


def test_template_declares_container_apps_postgres_key_vault_bot_and_log_analytics() -> None:
    assert {
        "Microsoft.App/containerApps",
        "Microsoft.App/managedEnvironments",
        "Microsoft.DBforPostgreSQL/flexibleServers",
        "Microsoft.KeyVault/vaults",
        "Microsoft.BotService/botServices",
        "Microsoft.BotService/botServices/channels",
        "Microsoft.OperationalInsights/workspaces",
        "Microsoft.ManagedIdentity/userAssignedIdentities",
    } <= _resource_types()
    assert "channelName: 'MsTeamsChannel'" in BICEP


def test_template_runs_two_replicas_by_default() -> None:
    assert re.search(r"\nparam minReplicas int = 2\n", BICEP)
    assert "minReplicas: minReplicas" in BICEP


def test_secret_parameters_are_secure_and_never_output() -> None:
    for name in ("postgresAdminPassword", "sessionSecret", "botAppPassword"):
        assert re.search(rf"@secure\(\)\nparam {name} string", BICEP), name
        outputs = [line for line in BICEP.splitlines() if line.startswith("output ")]
        assert not any(name in line for line in outputs)


def test_container_reads_its_secrets_from_key_vault_not_plain_values() -> None:
    for setting in (
        "CONFBOT_STORE__URL",
        "CONFBOT_WEB__SESSION_SECRET",
        "CONFBOT_TEAMS__APP_PASSWORD",
    ):
        assert re.search(rf"name: '{setting}', secretRef: '", BICEP), setting


def test_probes_use_healthz_for_liveness_and_readyz_for_readiness() -> None:
    assert re.search(r"type: 'Liveness'\s+httpGet: \{ path: '/healthz'", BICEP)
    assert re.search(r"type: 'Readiness'\s+httpGet: \{ path: '/readyz'", BICEP)


def test_postgres_frees_a_vanished_leaders_lock_within_30_seconds() -> None:
    values = {
        name: int(value)
        for name, value in re.findall(
            r"name: 'tcp_keepalives_(\w+)'\n  properties: \{ value: '(\d+)'", BICEP
        )
    }
    assert values["idle"] + values["interval"] * values["count"] <= 30
