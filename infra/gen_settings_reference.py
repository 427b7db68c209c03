"""Rewrite the README's "Production settings reference" from confbot's settings model.

    .venv/bin/python infra/gen_settings_reference.py          # rewrite README.md
    .venv/bin/python infra/gen_settings_reference.py --check  # exit 1 if it is out of date

It needs only the ``bot`` package importable (not the ``confbot`` command), and touches
nothing in README.md but that one section.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
README = REPO / "README.md"
HEADING = "## Production settings reference"

# What to set in production, where the default is for a laptop. Advice, not defaults.
PRODUCTION = {
    "CONFBOT_DATA_DIR": "`/data` in the image: a volume shared by every replica.",
    "CONFBOT_LOG_LEVEL": "`INFO`.",
    "CONFBOT_CONFERENCE__PLAYBOOK": "Your council's playbook.",
    "CONFBOT_CONFERENCE__CHAIRS": "Every chair; the same people as in the mailbox access group.",
    "CONFBOT_GRAPH__TENANT_ID": "Required unless using the managed identity.",
    "CONFBOT_GRAPH__CLIENT_ID": "Required unless using the managed identity.",
    "CONFBOT_GRAPH__CLIENT_SECRET": "Leave unset: use a certificate.",
    "CONFBOT_GRAPH__CERTIFICATE_PATH": "A read-only mounted file, e.g. from Key Vault.",
    "CONFBOT_GRAPH__MANAGED_IDENTITY": "`true` when hosted in Azure with a managed identity.",
    "CONFBOT_GRAPH__REQUEST_MAILBOX": "The council's request mailbox.",
    "CONFBOT_GRAPH__BASE_URL": "Leave unset.",
    "CONFBOT_GRAPH__SANDBOX_PORT": "Not used with a tenant.",
    "CONFBOT_GRAPH__SANDBOX_SEED": "Not used with a tenant.",
    "CONFBOT_TEAMS__APP_ID": "The bot's own app registration, not the Graph one.",
    "CONFBOT_TEAMS__APP_PASSWORD": "From Key Vault or a secret store.",
    "CONFBOT_TEAMS__ANONYMOUS_ALLOWED": "Leave unset (off with a tenant).",
    "CONFBOT_STORE__URL": "PostgreSQL. It holds the database password: treat it as a secret.",
    "CONFBOT_WEB__HOST": "`0.0.0.0` in a container (the image sets it).",
    "CONFBOT_WEB__PUBLIC_URL": "The https address Teams, Graph and people use.",
    "CONFBOT_WEB__SESSION_SECRET": "Set it, the same on every replica.",
}


def _cell(text: str) -> str:
    return text.replace("|", "\\|").replace("\n", " ")


def render() -> str:
    """The whole section, heading included, ending with one blank line."""
    sys.path.insert(0, str(REPO))
    from bot.settings import reference

    lines = [
        HEADING,
        "",
        "Generated from the settings model by `infra/gen_settings_reference.py`; a test fails",
        "when it is out of date. Every variable can also go in a `.env` file in the folder",
        "confbot starts from. Secrets are shown masked by `confbot config show`.",
        "",
        "| Variable | Default | Secret | What it is | In production |",
        "|---|---|---|---|---|",
    ]
    for name, default, secret, description in reference():
        shown = f"`{_cell(default)}`" if default else ""
        lines.append(
            f"| `{name}` | {shown} | {'yes' if secret else 'no'} | {_cell(description)} "
            f"| {_cell(PRODUCTION.get(name, ''))} |"
        )
    return "\n".join(lines) + "\n\n"


def current(readme: str) -> str:
    """The section as it stands in the README, or an empty string."""
    start = readme.find(HEADING + "\n")
    if start < 0:
        return ""
    end = readme.find("\n## ", start + len(HEADING))
    return readme[start : len(readme) if end < 0 else end + 1]


def rewrite(readme: str) -> str:
    """The README with the section replaced (or added before "## Operations", or at the end)."""
    old = current(readme)
    if old:
        return readme.replace(old, render(), 1)
    anchor = readme.find("## Operations\n")
    if anchor < 0:
        return readme.rstrip("\n") + "\n\n" + render().rstrip("\n") + "\n"
    return readme[:anchor] + render() + readme[anchor:]


def main() -> int:
    """Rewrite the section, or with --check only compare it."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--check", action="store_true", help="exit 1 if the README is stale")
    args = parser.parse_args()
    text = README.read_text(encoding="utf-8")
    updated = rewrite(text)
    if args.check:
        if updated != text:
            print("README.md: the settings reference is out of date; run " + sys.argv[0])
            return 1
        return 0
    if updated != text:
        README.write_text(updated, encoding="utf-8")
        print("README.md: settings reference rewritten")
    return 0


if __name__ == "__main__":
    sys.exit(main())
