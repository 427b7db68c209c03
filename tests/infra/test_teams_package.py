"""`confbot teams package` builds a zip whose manifest passes Microsoft's own schema check."""

from __future__ import annotations

import argparse
import json
import shutil
import subprocess
import sys
import zipfile
from pathlib import Path
from typing import Any

import pytest
from PIL import Image

from bot.cli.teams_package import (
    PackageError,
    PackageInputs,
    build_package,
    host_of,
    register,
    render_manifest,
)
from tests.infra.conftest import INFRA, clean_env

BOT_ID = "0b7c2f9e-4d1a-4e8b-9c3f-2a6d5e8f1b40"  # fictional
HOST = "confbot.example.gov.uk"

# Run Microsoft's validator (ajv with the draft-04 meta-schema, as the Teams toolkit does)
# against the schema file the npm package ships. Nothing is fetched from the internet.
VALIDATE_JS = """
const fs = require("fs");
const path = require("path");
const [pkg, manifestPath] = process.argv.slice(1);
const { ManifestUtil } = require(path.join(pkg, "build", "index.js"));
const manifest = JSON.parse(fs.readFileSync(manifestPath, "utf8"));
const schemaPath = path.join(pkg, "build", "json-schemas", "teams",
  "v" + manifest.manifestVersion, "MicrosoftTeams.schema.json");
// The published schema has a "\\a" in one pattern that JavaScript rejects; the toolkit
// applies the same replacement when it loads the schema.
const schema = JSON.parse(fs.readFileSync(schemaPath, "utf8").replace(/\\\\a/g, "\\\\x07"));
ManifestUtil.validateManifestAgainstSchema(manifest, schema).then((errors) => {
  console.log(JSON.stringify({ schema: schemaPath, errors }));
  process.exit(errors.length ? 1 : 0);
});
"""


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="confbot")
    register(parser.add_subparsers(dest="command"))
    return parser


@pytest.fixture
def package(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> Path:
    out = tmp_path / "confbot-teams.zip"
    args = _parser().parse_args(
        ["teams", "package", "--out", str(out), "--bot-id", BOT_ID, "--host", HOST]
    )
    assert args.func(args) == 0
    assert "Teams app package written to" in capsys.readouterr().out
    return out


def _manifest(package: Path) -> dict[str, Any]:
    with zipfile.ZipFile(package) as archive:
        return json.loads(archive.read("manifest.json"))


def test_package_holds_the_manifest_and_both_icons_at_its_root(package: Path) -> None:
    with zipfile.ZipFile(package) as archive:
        assert sorted(archive.namelist()) == ["color.png", "manifest.json", "outline.png"]


def test_package_fills_every_placeholder(package: Path) -> None:
    with zipfile.ZipFile(package) as archive:
        text = archive.read("manifest.json").decode()
    assert "${{" not in text
    manifest = json.loads(text)
    assert manifest["bots"][0]["botId"] == BOT_ID
    assert manifest["webApplicationInfo"]["id"] == BOT_ID
    assert manifest["validDomains"] == [HOST]
    assert manifest["configurableTabs"][0]["configurationUrl"].startswith(f"https://{HOST}/")


def test_manifest_has_bot_scopes_side_panel_tab_and_meeting_permissions(package: Path) -> None:
    manifest = _manifest(package)
    assert set(manifest["bots"][0]["scopes"]) == {"personal", "groupChat"}
    assert "meetingSidePanel" in manifest["configurableTabs"][0]["context"]
    rsc = {p["name"] for p in manifest["authorization"]["permissions"]["resourceSpecific"]}
    assert rsc == {
        "OnlineMeeting.ReadBasic.Chat",
        "OnlineMeetingParticipant.Read.Chat",
        "OnlineMeetingNotification.Send.Chat",
    }


def test_manifest_passes_microsofts_published_schema(
    package: Path, app_manifest_package: Path, tmp_path: Path
) -> None:
    node = shutil.which("node")
    assert node, "npm is installed but node is not"
    manifest_path = tmp_path / "manifest.json"
    manifest_path.write_bytes(zipfile.ZipFile(package).read("manifest.json"))
    result = subprocess.run(
        [node, "-e", VALIDATE_JS, str(app_manifest_package), str(manifest_path)],
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert result.returncode == 0, f"manifest fails the schema:\n{result.stdout}{result.stderr}"
    report = json.loads(result.stdout)
    assert report["errors"] == [] and "v1.22" in report["schema"]


def test_schema_check_catches_a_broken_manifest(app_manifest_package: Path, tmp_path: Path) -> None:
    # The validator must not pass everything: a bot id that is not a GUID fails.
    broken = render_manifest(
        (INFRA / "teams" / "manifest.json").read_text(),
        PackageInputs(bot_id="not-a-guid", public_host=HOST),
    )
    manifest_path = tmp_path / "manifest.json"
    manifest_path.write_text(broken)
    result = subprocess.run(
        [
            shutil.which("node") or "node",
            "-e",
            VALIDATE_JS,
            str(app_manifest_package),
            str(manifest_path),
        ],
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert result.returncode == 1
    assert "/bots/0/botId" in result.stdout


def test_color_icon_is_192_square_and_outline_is_32_white_on_transparent(package: Path) -> None:
    with zipfile.ZipFile(package) as archive:
        archive.extractall(package.parent / "unzipped")
    color = Image.open(package.parent / "unzipped" / "color.png")
    assert color.format == "PNG" and color.size == (192, 192)
    outline = Image.open(package.parent / "unzipped" / "outline.png")
    assert outline.format == "PNG" and outline.size == (32, 32)
    assert outline.mode == "RGBA"
    pixels = [outline.getpixel((x, y)) for y in range(32) for x in range(32)]
    visible = [p for p in pixels if p[3] > 0]
    assert visible, "the outline icon is empty"
    assert all(p[:3] == (255, 255, 255) for p in visible), "outline icon must be white only"
    assert any(p[3] == 0 for p in pixels), "outline icon must have a transparent background"
    corners = [outline.getpixel(xy) for xy in ((0, 0), (31, 0), (0, 31), (31, 31))]
    assert all(c[3] == 0 for c in corners)


def test_same_inputs_give_a_byte_identical_package(tmp_path: Path) -> None:
    inputs = PackageInputs(bot_id=BOT_ID, public_host=HOST)
    first = build_package(inputs, tmp_path / "a.zip").read_bytes()
    second = build_package(inputs, tmp_path / "b.zip").read_bytes()
    assert first == second


def test_defaults_come_from_the_settings(tmp_path: Path) -> None:
    out = tmp_path / "from-settings.zip"
    result = subprocess.run(
        [
            sys.executable,
            "-c",
            "import argparse, sys; from bot.cli.teams_package import register;"
            "p = argparse.ArgumentParser(); register(p.add_subparsers());"
            "a = p.parse_args(sys.argv[1:]); sys.exit(a.func(a))",
            "teams",
            "package",
            "--out",
            str(out),
        ],
        cwd=tmp_path,
        env=clean_env(
            CONFBOT_TEAMS__APP_ID=BOT_ID,
            CONFBOT_WEB__PUBLIC_URL=f"https://{HOST}/",
            PYTHONPATH=str(INFRA.parent),
        ),
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert result.returncode == 0, result.stderr
    assert _manifest(out)["validDomains"] == [HOST]


def test_missing_bot_id_is_one_clear_line_naming_the_setting(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    for name in ("CONFBOT_TEAMS__APP_ID", "CONFBOT_WEB__PUBLIC_URL"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.chdir(tmp_path)
    args = _parser().parse_args(["teams", "package", "--out", str(tmp_path / "x.zip")])
    assert args.func(args) == 2
    assert "CONFBOT_TEAMS__APP_ID" in capsys.readouterr().err
    assert not (tmp_path / "x.zip").exists()


@pytest.mark.parametrize(
    "value", ["http://confbot.example.gov.uk", "https://confbot.example.gov.uk/path", "localhost"]
)
def test_public_host_must_be_an_https_domain(value: str) -> None:
    with pytest.raises(PackageError):
        host_of(value)


def test_public_url_is_reduced_to_its_host() -> None:
    assert host_of("https://confbot.example.gov.uk/") == HOST
    assert host_of(HOST) == HOST
