"""`confbot teams package`: build the Teams app package (manifest.json and two icons) as a zip."""

from __future__ import annotations

import argparse
import re
import sys
import uuid
import zipfile
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urlsplit

from bot import __version__

TEMPLATE_DIR = Path(__file__).resolve().parents[2] / "infra" / "teams"
ICONS = ("color.png", "outline.png")
PLACEHOLDER = re.compile(r"\$\{\{([A-Z_]+)\}\}")
# A fixed namespace, so one bot id always gives the same Teams app id: re-uploading a package
# then updates the council's app instead of adding a second one.
APP_ID_NAMESPACE = uuid.UUID("5b0e7c1e-2f0a-4c3b-9d53-6a1f0c0f7b21")
# Zip entries carry this time, so the same inputs give a byte-identical package.
ZIP_TIME = (2020, 3, 23, 0, 0, 0)


class PackageError(Exception):
    """The package cannot be built; the message says which input to fix."""


@dataclass(frozen=True)
class PackageInputs:
    """What the manifest's placeholders are filled with."""

    bot_id: str
    public_host: str
    app_version: str = __version__

    @property
    def teams_app_id(self) -> str:
        """The Teams app id, derived from the bot id so it stays the same between builds."""
        return str(uuid.uuid5(APP_ID_NAMESPACE, self.bot_id.lower()))

    def values(self) -> dict[str, str]:
        """The placeholder values, by name."""
        return {
            "BOT_ID": self.bot_id,
            "PUBLIC_HOST": self.public_host,
            "TEAMS_APP_ID": self.teams_app_id,
            "APP_VERSION": self.app_version,
        }


def host_of(value: str) -> str:
    """The bare host name of a URL or host, refusing anything Teams would not accept."""
    text = value.strip()
    parsed = urlsplit(text if "://" in text else f"https://{text}")
    if parsed.scheme != "https" and "://" in text:
        raise PackageError(f"public address must use https, not {parsed.scheme}: {value!r}")
    host = parsed.hostname or ""
    if parsed.path not in ("", "/") or not re.fullmatch(r"[a-z0-9.-]+\.[a-z]{2,}", host):
        raise PackageError(
            f"public host must be a domain name such as confbot.example.gov.uk, not {value!r}"
        )
    return host if parsed.port is None else f"{host}:{parsed.port}"


def checked_bot_id(value: str) -> str:
    """The bot's Microsoft app id, which Teams requires to be a GUID."""
    try:
        return str(uuid.UUID(value.strip()))
    except ValueError as err:
        raise PackageError(f"bot id must be the bot's app id (a GUID), not {value!r}") from err


def render_manifest(template: str, inputs: PackageInputs) -> str:
    """The manifest text with every ``${{NAME}}`` filled; an unknown name is an error."""
    values = inputs.values()

    def fill(match: re.Match[str]) -> str:
        name = match.group(1)
        if name not in values:
            raise PackageError(f"manifest uses ${{{{{name}}}}}, which the packager does not fill")
        return values[name]

    return PLACEHOLDER.sub(fill, template)


def build_package(inputs: PackageInputs, out: Path, template_dir: Path = TEMPLATE_DIR) -> Path:
    """Write the zip Teams admins upload: manifest.json and the two icons, at its root."""
    manifest_path = template_dir / "manifest.json"
    if not manifest_path.is_file():
        raise PackageError(
            f"no manifest template at {manifest_path}; run from a checkout of confbot"
        )
    manifest = render_manifest(manifest_path.read_text(encoding="utf-8"), inputs)
    out.parent.mkdir(parents=True, exist_ok=True)
    with zipfile.ZipFile(out, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        archive.writestr(zipfile.ZipInfo("manifest.json", ZIP_TIME), manifest)
        for icon in ICONS:
            archive.writestr(zipfile.ZipInfo(icon, ZIP_TIME), (template_dir / icon).read_bytes())
    return out


def package_command(args: argparse.Namespace) -> int:
    """Fill the manifest from the options or the settings, and write the zip."""
    try:
        bot_id = args.bot_id
        host = args.host
        if bot_id is None or host is None:
            from bot.settings import ConfigError, load_settings

            try:
                settings = load_settings()
            except ConfigError as err:
                raise PackageError(str(err)) from err
            bot_id = bot_id or settings.teams.app_id
            host = host or settings.web.public_url
        if not bot_id:
            raise PackageError("no bot id: pass --bot-id or set CONFBOT_TEAMS__APP_ID")
        if not host:
            raise PackageError("no public host: pass --host or set CONFBOT_WEB__PUBLIC_URL")
        inputs = PackageInputs(bot_id=checked_bot_id(bot_id), public_host=host_of(host))
        out = build_package(inputs, args.out, args.template)
    except PackageError as err:
        print(f"confbot: {err}", file=sys.stderr)
        return 2
    print(f"Teams app package written to {out} (app id {inputs.teams_app_id})")
    return 0


def register(subparsers: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    """Add ``confbot teams package``."""
    group = subparsers.add_parser("teams", help="Microsoft Teams app commands")
    commands = group.add_subparsers(dest="teams_command", metavar="ACTION", required=True)
    package = commands.add_parser("package", help="build the Teams app package (a zip)")
    package.add_argument(
        "--out", type=Path, default=Path("confbot-teams.zip"), help="default: confbot-teams.zip"
    )
    package.add_argument("--bot-id", help="the bot's app id; default: CONFBOT_TEAMS__APP_ID")
    package.add_argument(
        "--host", help="public host name or https URL; default: CONFBOT_WEB__PUBLIC_URL"
    )
    package.add_argument(
        "--template",
        type=Path,
        default=TEMPLATE_DIR,
        help="folder with manifest.json and the icons; default: infra/teams",
    )
    package.set_defaults(func=package_command)
