"""Smoke run of `bench/orchestration.py --quick`: a real server subprocess, 40 jobs, 10 watch streams."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
BENCH = ROOT / "bench" / "orchestration.py"


@pytest.mark.timeout(120)
def test_quick_run_prints_the_table_and_exits_0() -> None:
    proc = subprocess.run(
        [sys.executable, str(BENCH), "--quick"],
        capture_output=True,
        text=True,
        cwd=ROOT,
        timeout=90,
    )
    assert proc.returncode == 0, proc.stdout[-4000:] + proc.stderr[-4000:]
    lines = proc.stdout.splitlines()
    rows = {line.split("|")[1].strip(): line.split("|")[2].strip() for line in lines if line.startswith("| ")}
    for measure in (
        "CreateScanJob latency p50 / p95 / p99",
        "wall time (first create -> last terminal)",
        "units finished / s",
        "watch events received",
        "peak server RSS (VmHWM)",
    ):
        assert measure in rows, f"missing row {measure!r} in:\n{proc.stdout}"
    assert rows["errors (RPC failures other than the rate limit)"] == "0"
    assert rows["every job terminal"] == "yes"
    assert rows["jobs created / planned units"].startswith("40 / 400 units")
    assert rows["watch streams / peak open / ended terminal"].startswith("10 / ")
    assert rows["watch streams / peak open / ended terminal"].endswith(" / 10")
    assert rows["peak server RSS (VmHWM)"].split()[0] != "0.0"
