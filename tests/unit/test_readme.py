"""The README stays true: every setting is in its configuration table, and the two commands."""

from __future__ import annotations

from pathlib import Path

from bot.settings import reference

README = (Path(__file__).resolve().parents[2] / "README.md").read_text()


def test_readme_configuration_table_lists_every_setting_with_its_secrecy() -> None:
    for name, _default, secret, _doc in reference():
        rows = [line for line in README.splitlines() if line.startswith(f"| `{name}` |")]
        assert rows, f"{name} is missing from the README's configuration table"
        assert ("| yes |" in rows[0]) == secret, f"{name}: secret column is wrong"


def test_readme_gives_the_two_commands() -> None:
    assert "make run" in README and "make test" in README
