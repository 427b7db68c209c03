"""Dependencies point inward: bot.core stays pure and graph sees only bot.core."""

from __future__ import annotations

import ast
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
ADAPTERS = ("bot.intake", "bot.runtime", "bot.store", "bot.teams", "bot.web", "bot.app", "bot.cli")
SDKS = ("aiohttp", "sqlalchemy", "msgraph", "microsoft_agents", "apscheduler", "httpx", "azure")


def _imports(package: Path) -> list[tuple[Path, str]]:
    found = []
    for path in package.rglob("*.py"):
        for node in ast.walk(ast.parse(path.read_text(), str(path))):
            if isinstance(node, ast.Import):
                found += [(path, alias.name) for alias in node.names]
            elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
                found.append((path, node.module))
    return found


def _hits(package: str, forbidden: tuple[str, ...]) -> list[str]:
    return [
        f"{path.relative_to(ROOT)} imports {name}"
        for path, name in _imports(ROOT / package)
        if any(name == f or name.startswith(f + ".") for f in forbidden)
    ]


def test_core_imports_no_adapter_and_no_sdk() -> None:
    assert _hits("bot/core", (*ADAPTERS, "bot.settings", "graph", *SDKS)) == []


def test_graph_imports_nothing_of_bot_but_core() -> None:
    assert _hits("graph", (*ADAPTERS, "bot.settings")) == []


def test_only_app_and_cli_wire_graph_into_bot() -> None:
    outside = [
        hit for hit in _hits("bot", ("graph",)) if not hit.startswith(("bot/app.py", "bot/cli/"))
    ]
    assert outside == []
