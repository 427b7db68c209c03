"""The benchmarks still run: each, in its small mode, prints one JSON line with its keys.

No timing is asserted here: a benchmark reports figures, it is not a timed test.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

ROOT = Path(__file__).resolve().parents[2]
BENCH = ROOT / "tests" / "bench"


def run_small(script: str) -> dict[str, Any]:
    """Run ``tests/bench/<script>`` with CONFBOT_BENCH_SMALL=1 and parse its one line."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("CONFBOT_")}
    env["CONFBOT_BENCH_SMALL"] = "1"
    done = subprocess.run(
        [sys.executable, str(BENCH / script)],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=240,
        check=False,
    )
    assert done.returncode == 0, done.stdout + done.stderr
    lines = done.stdout.splitlines()
    assert len(lines) == 1, f"expected one JSON line, got {done.stdout!r}"
    result = json.loads(lines[0])
    assert isinstance(result, dict)
    return result


@pytest.mark.slow
@pytest.mark.timeout(300)
def test_intake_latency_bench_prints_its_percentiles() -> None:
    result = run_small("intake_latency.py")
    assert {"p50_s", "p95_s", "p99_s", "n"} <= result.keys()
    assert result["n"] == 10
    assert 0 < result["p50_s"] <= result["p95_s"] <= result["p99_s"]


@pytest.mark.slow
@pytest.mark.timeout(300)
def test_intake_backlog_bench_prints_drain_time_and_mailbox_concurrency() -> None:
    result = run_small("intake_backlog.py")
    assert {"drain_s", "max_concurrent_per_mailbox"} <= result.keys()
    assert result["conferences"] + result["triage"] == result["n"] == 50
    assert result["drain_s"] > 0
    assert result["max_concurrent_per_mailbox"] >= 1  # the sweep did call Graph


@pytest.mark.slow
@pytest.mark.timeout(300)
def test_graph_calls_bench_prints_setup_calls_by_endpoint() -> None:
    result = run_small("graph_calls.py")
    setup = result["setup"]
    assert {"total", "by_endpoint"} <= setup.keys()
    assert setup["total"] == sum(setup["by_endpoint"].values()) > 0
    assert all(" /v1.0/" in name for name in setup["by_endpoint"])
    assert "POST /v1.0/users/{id}/events" in setup["by_endpoint"]
    # Issue 7: the whole lifecycle, request email to follow-ups, beside the set-up.
    lifecycle = result["lifecycle"]
    assert {"total", "by_endpoint", "excluded"} <= lifecycle.keys()
    assert lifecycle["total"] == sum(lifecycle["by_endpoint"].values()) >= setup["total"]
    assert all(" /v1.0/" in name for name in lifecycle["by_endpoint"])
    assert "PUT /v1.0/drives/{id}/items/{path}/content" in lifecycle["by_endpoint"]  # minutes
    assert "POST /v1.0/subscriptions" not in lifecycle["by_endpoint"]
    assert any("/subscriptions" in excluded for excluded in lifecycle["excluded"])


@pytest.mark.slow
@pytest.mark.timeout(300)
def test_prompt_punctuality_bench_prints_lateness_and_console_delivery() -> None:
    result = run_small("prompt_punctuality.py")
    keys = {"lateness_p50_s", "lateness_p99_s", "console_delivery_p95_ms", "pending_jobs"}
    assert keys <= result.keys()
    assert result["pending_jobs"] == result["fired"] == result["delivered"] == 100
    assert result["lateness_p50_s"] <= result["lateness_p99_s"]
    assert result["console_delivery_p95_ms"] >= 0


@pytest.mark.slow
@pytest.mark.timeout(300)
def test_intake_accuracy_bench_scores_the_corpus_and_the_held_out_set_apart() -> None:
    result = run_small("intake_accuracy.py")
    keys = {"booked_fraction", "field_recall", "field_precision", "wrong_contacts", "per_style"}
    assert keys <= result.keys()
    assert keys - {"per_style"} <= result["heldout"].keys()
    assert result["cases"] >= 60


@pytest.mark.slow
@pytest.mark.timeout(300)
def test_intake_fuzz_bench_finds_no_message_the_reader_cannot_place() -> None:
    result = run_small("intake_fuzz.py")
    assert result["examples"] == 300 and result["seeds"] > 0
    assert result["uncaught"] == result["internal_errors"] == result["no_reason"] == 0


@pytest.mark.slow
@pytest.mark.timeout(300)
def test_attachment_parse_bench_prints_per_page_times_and_refusals() -> None:
    result = run_small("attachment_parse.py")
    assert {"per_page_ms", "by_kind", "refuse_ms", "goal_ms", "meets_goal"} <= result.keys()
    assert 0 < result["per_page_ms"]["p50"] <= result["per_page_ms"]["p99"]
    assert {"docx", "pdf_acroform", "msg_html", "msg_with_docx"} <= result["by_kind"].keys()
    assert {"pdf_password", "docx_zip_bomb_lying", "msg_too_deep"} <= result["refuse_ms"].keys()


@pytest.mark.slow
@pytest.mark.timeout(300)
def test_crash_trial_bench_counts_each_email_once_across_its_kills() -> None:
    result = run_small("crash_trial.py")
    assert (result["bench"], result["conferences"], result["kills"]) == ("crash_trial", 10, 3)
    # Each conference sends at least its acknowledgement and its parent letter.
    assert result["emails_expected"] >= 2 * result["conferences"]
    assert result["emails_sent"] == result["emails_expected"]
    assert result["duplicates"] == result["missing"] == 0
    assert 0 < result["restart_s_p50"] <= result["restart_s_max"]
