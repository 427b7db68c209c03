"""The compose file: PostgreSQL, two read-only confbot replicas, and a proxy that uses both."""

from __future__ import annotations

import re
from typing import Any

import pytest
from ruamel.yaml import YAML

from tests.infra.conftest import INFRA

REPLICAS = ("confbot-a", "confbot-b")


@pytest.fixture(scope="module")
def compose() -> dict[str, Any]:
    # ruamel follows the YAML merge keys (<<: *confbot) the way Docker Compose does.
    loaded = YAML(typ="safe").load((INFRA / "compose.yaml").read_text())
    assert isinstance(loaded, dict)
    return loaded


def test_compose_runs_postgres_two_confbot_replicas_and_a_proxy(compose: dict[str, Any]) -> None:
    services = compose["services"]
    assert {"postgres", "migrate", "proxy", *REPLICAS} <= set(services)
    images = {services[name]["image"] for name in REPLICAS}
    assert len(images) == 1, "both replicas must run the same image"
    for name in REPLICAS:
        assert services[name]["build"]["dockerfile"] == "infra/Dockerfile"
        assert "postgresql+psycopg://" in services[name]["environment"]["CONFBOT_STORE__URL"]


def test_replicas_have_a_read_only_root_and_write_only_to_data_and_tmp(
    compose: dict[str, Any],
) -> None:
    for name in REPLICAS:
        service = compose["services"][name]
        assert service["read_only"] is True
        assert any(t.startswith("/tmp") for t in service["tmpfs"])
        targets = [v.split(":")[1] for v in service["volumes"]]
        assert "/data" in targets
        assert service["cap_drop"] == ["ALL"]


def test_migrations_run_once_before_either_replica_starts(compose: dict[str, Any]) -> None:
    services = compose["services"]
    assert services["migrate"]["command"] == ["confbot", "db", "upgrade"]
    for name in REPLICAS:
        condition = services[name]["depends_on"]["migrate"]["condition"]
        assert condition == "service_completed_successfully"


def test_database_is_not_published_outside_the_compose_network(compose: dict[str, Any]) -> None:
    assert "ports" not in compose["services"]["postgres"]


def test_proxy_sends_traffic_to_both_replicas() -> None:
    caddyfile = (INFRA / "caddy" / "Caddyfile").read_text()
    upstreams = re.search(r"reverse_proxy ([^{]+)\{", caddyfile)
    assert upstreams is not None
    assert sorted(upstreams.group(1).split()) == [f"{name}:8080" for name in REPLICAS]
    assert "health_uri /readyz" in caddyfile


def test_every_variable_compose_needs_is_in_the_example_env_file() -> None:
    needed = set(re.findall(r"\$\{(\w+)", (INFRA / "compose.yaml").read_text()))
    example = (INFRA / "confbot.env.example").read_text()
    given = set(re.findall(r"^#?\s*(\w+)=", example, flags=re.MULTILINE))
    assert needed - {"CONFBOT_IMAGE_TAG"} <= given


def test_postgres_frees_a_vanished_leaders_lock_within_30_seconds(compose: dict[str, Any]) -> None:
    command = compose["services"]["postgres"]["command"]
    settings = dict(arg.split("=", 1) for arg in command if "=" in arg)
    idle, interval, count = (
        int(settings[f"tcp_keepalives_{name}"]) for name in ("idle", "interval", "count")
    )
    assert idle + interval * count <= 30
