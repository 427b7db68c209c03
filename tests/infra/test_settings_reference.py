"""The README's production settings reference is the settings model, and its permissions list
matches what the Entra script asks for."""

from __future__ import annotations

import importlib.util
import re
import subprocess
import sys
from types import ModuleType

from bot.settings import reference
from tests.infra.conftest import INFRA, REPO

README = (REPO / "README.md").read_text(encoding="utf-8")
GENERATOR = INFRA / "gen_settings_reference.py"


def _generator() -> ModuleType:
    spec = importlib.util.spec_from_file_location("gen_settings_reference", GENERATOR)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def _section(heading: str) -> str:
    start = README.index(f"\n{heading}\n")
    end = README.find("\n## ", start + 1)
    return README[start : len(README) if end < 0 else end]


def test_readme_settings_reference_is_generated_from_the_settings_model() -> None:
    generator = _generator()
    assert generator.current(README) == generator.render(), (
        "README.md's settings reference is out of date: run "
        ".venv/bin/python infra/gen_settings_reference.py"
    )


def test_settings_reference_lists_every_setting_once() -> None:
    section = _section("## Production settings reference")
    for name, _default, secret, _doc in reference():
        rows = [line for line in section.splitlines() if line.startswith(f"| `{name}` |")]
        assert len(rows) == 1, name
        assert ("| yes |" in rows[0]) == secret, f"{name}: secret column is wrong"


def test_production_advice_names_only_real_settings() -> None:
    names = {name for name, *_ in reference()}
    assert set(_generator().PRODUCTION) <= names


def test_generator_check_mode_passes_on_the_committed_readme() -> None:
    result = subprocess.run(
        [sys.executable, str(GENERATOR), "--check"],
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert result.returncode == 0, result.stdout + result.stderr


def test_generator_rewrites_only_its_own_section() -> None:
    generator = _generator()
    section = generator.current(README)
    stale_section = "\n".join(
        line for line in section.splitlines() if "CONFBOT_WEB__PORT" not in line
    )
    stale = README.replace(section, stale_section + "\n", 1)
    assert stale != README
    assert generator.rewrite(stale) == README


def test_readme_gives_every_permission_the_entra_script_can_ask_for_with_its_reason() -> None:
    script = (INFRA / "entra" / "register-app.sh").read_text()
    asked = set(re.findall(r"permissions\+?=\(?([A-Z][\w.]+(?: [A-Z][\w.]+)*)\)?", script))
    permissions = {p for group in asked for p in group.split()}
    assert permissions == {
        "Calendars.ReadWrite",
        "Mail.ReadWrite",
        "Mail.Send",
        "Sites.Selected",
        "Files.ReadWrite.All",
        "OnlineMeetings.ReadWrite.All",
        "OnlineMeetingArtifact.Read.All",
        "User.Read.All",
    }
    section = _section("## Connecting a real tenant")
    for permission in permissions:
        rows = [line for line in section.splitlines() if f"`{permission}`" in line]
        assert rows and rows[0].startswith("|"), f"{permission} has no row in the README table"
        assert len(rows[0]) > 120, f"{permission}: the README gives no reason"


def test_readme_names_the_teams_resource_specific_permissions_of_the_manifest() -> None:
    manifest = (INFRA / "teams" / "manifest.json").read_text()
    section = _section("## Connecting a real tenant")
    for name in re.findall(r'"name": "(OnlineMeeting[\w.]+)"', manifest):
        assert f"| `{name}` |" in section, name
