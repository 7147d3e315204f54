"""`run_unit` in several threads of one process at once (a Dask worker with several threads)."""

from __future__ import annotations

import sqlite3
from concurrent.futures import ThreadPoolExecutor
from dataclasses import replace
from pathlib import Path

from scanrules_server.connectors.base import open_source
from scanrules_server.engine.compiler import builtin_rule_specs, compile_rules
from scanrules_server.orchestration.executors import LocalExecutor
from scanrules_server.orchestration.worker import UnitSpec, run_unit, table_to_spec


def test_threads_never_share_a_compiled_rule_set(tmp_path: Path) -> None:
    path = tmp_path / "threads.db"
    with sqlite3.connect(path) as db:
        db.execute("CREATE TABLE people (id INTEGER PRIMARY KEY, email TEXT, phone TEXT)")
        db.executemany(
            "INSERT INTO people (email, phone) VALUES (?, ?)",
            [(f"user{i}@example.com", f"+1 415 555 {i % 10000:04d}") for i in range(3000)],
        )
    db.close()
    with open_source(str(path)) as connector:
        table = next(t for t in connector.discover() if t.name == "people")
    compiled = compile_rules(builtin_rule_specs())
    spec = UnitSpec(
        unit_seq=1,
        uri=str(path),
        password=None,
        table=table_to_spec(table),
        sampling={"strategy": "FULL", "rows": 0, "percent": 0.0},
        compiled_key="builtin",
        compiled=compiled.dumps(),
    )
    # One Hyperscan scratch per compiled set: shared between threads this raised ScratchInUseError.
    with ThreadPoolExecutor(4) as pool:
        results = list(pool.map(run_unit, [spec] * 12))
    found = [sorted((f["column"], f["classification"], f["validated"]) for f in r["findings"]) for r in results]
    assert all(f == found[0] for f in found) and ("email", "EMAIL_ADDRESS", 3000) in found[0]
    assert all(r["rows_read"] == 3000 and r["fingerprint"].startswith("rows=3000;") for r in results)


def test_the_local_pool_ships_a_compiled_rule_set_once_as_a_file(tmp_path: Path) -> None:
    path = tmp_path / "pool.db"
    with sqlite3.connect(path) as db:
        db.execute("CREATE TABLE t (id INTEGER PRIMARY KEY, email TEXT)")
        db.executemany("INSERT INTO t (email) VALUES (?)", [(f"u{i}@example.org",) for i in range(200)])
    db.close()
    with open_source(str(path)) as connector:
        table = connector.discover()[0]
    compiled = compile_rules(builtin_rule_specs()).dumps()
    spec = UnitSpec(
        1, str(path), None, table_to_spec(table), {"strategy": "FULL", "rows": 0, "percent": 0.0}, "k", compiled
    )
    executor = LocalExecutor(2)
    try:
        shipped = executor._by_file(spec)
        assert shipped.compiled == b"" and Path(shipped.compiled_path).read_bytes() == compiled
        assert executor._by_file(replace(spec, unit_seq=2)).compiled_path == shipped.compiled_path  # written once
        results = [f.result(timeout=120) for f in [executor.submit(replace(spec, unit_seq=i)) for i in range(4)]]
        assert all(
            ("email", "EMAIL_ADDRESS") in {(f["column"], f["classification"]) for f in r["findings"]} for r in results
        )
    finally:
        executor.shutdown()
    assert not Path(shipped.compiled_path).exists()  # the files go with the pool
