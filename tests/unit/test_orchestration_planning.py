"""Planning rules (partition sizing, ADAPTIVE order, shared sample budgets) and watcher queues."""

from __future__ import annotations

import asyncio
from typing import Any, cast

from scanrules_server.connectors.base import TableSchema
from scanrules_server.orchestration import planning
from scanrules_server.orchestration.orchestrator import WATCH_QUEUE_SIZE, Event, Orchestrator
from scanrules_server.orchestration.planning import History, TableCost


def _table(name: str, rows: int | None) -> TableSchema:
    return TableSchema("main", name, (), rows, ("id",))


def test_partition_rows_explicit_then_adaptive_history_then_default() -> None:
    fast = History({("main", "t"): TableCost(1.0, 10_000, 0)}, rows_per_second=20_000.0)
    assert planning.partition_rows({"partition_rows": 5000}, "ADAPTIVE", fast) == 5000
    assert planning.partition_rows({}, "ADAPTIVE", fast) == 20_000 * 60
    slow = History({("main", "t"): TableCost(10.0, 100, 0)}, rows_per_second=10.0)
    assert planning.partition_rows({}, "ADAPTIVE", slow) == planning.MIN_ADAPTIVE_PARTITION_ROWS
    huge = History({("main", "t"): TableCost(1.0, 10**9, 0)}, rows_per_second=1e9)
    assert planning.partition_rows({}, "ADAPTIVE", huge) == planning.MAX_ADAPTIVE_PARTITION_ROWS
    assert planning.partition_rows({}, "PARALLEL", fast) == planning.DEFAULT_PARTITION_ROWS
    assert planning.partition_rows({}, "ADAPTIVE", None) == planning.DEFAULT_PARTITION_ROWS


def test_only_the_rows_a_unit_reads_count_towards_splitting() -> None:
    assert planning.expected_read_fraction({"sampling_strategy": "FULL"}, 10**8) == 1.0
    assert planning.expected_read_fraction({"sampling_strategy": "PERCENT", "sample_percent": 5.0}, 10**8) == 0.05
    assert planning.expected_read_fraction({"sampling_strategy": "RANDOM", "sample_size": 10_000}, 10**8) == 1e-4
    assert planning.expected_read_fraction({"sampling_strategy": "HEAD", "sample_size": 0}, 10**8) == 1.0
    assert planning.expected_read_fraction({"sampling_strategy": "RANDOM", "sample_size": 10}, 0) == 1.0


def test_adaptive_order_likely_positives_first_then_cheapest() -> None:
    history = History(
        {
            ("main", "cheap_positive"): TableCost(0.5, 100, 2),
            ("main", "costly_positive"): TableCost(9.0, 100_000, 1),
            ("main", "cheap_negative"): TableCost(0.1, 100, 0),
        },
        rows_per_second=1000.0,
    )
    tables: list[tuple[TableSchema, list[dict[str, Any]]]] = [
        (_table(name, rows), [])
        for name, rows in (
            ("never_scanned_big", 1_000_000),
            ("cheap_negative", 100),
            ("costly_positive", 100_000),
            ("never_scanned_small", 10),
            ("cheap_positive", 100),
        )
    ]
    ordered = [t.name for t, _ in planning.adaptive_order(tables, history)]
    assert ordered == [
        "cheap_positive",
        "costly_positive",
        "never_scanned_small",  # 10 rows / 1000 rows/s = 0.01 s
        "cheap_negative",  # 0.1 s last time
        "never_scanned_big",
    ]
    assert planning.adaptive_order(tables, None) == tables  # no history: plan order


def test_a_row_budget_is_shared_between_partitions() -> None:
    policy = {"sampling_strategy": "RANDOM", "sample_size": 10_000}
    assert planning.unit_sampling(policy, 1)["rows"] == 10_000
    assert planning.unit_sampling(policy, 3)["rows"] == 3334
    full = planning.unit_sampling({"sampling_strategy": "FULL", "sample_size": 0}, 8)
    assert full == {"strategy": "FULL", "rows": 0, "percent": 0.0}


def test_unit_plans_number_partitions() -> None:
    table = _table("big", 5_000_000)
    parts = [{"key": "id", "lo": i, "hi": i + 10} for i in range(0, 30, 10)]
    plans = planning.unit_plans("src", table, parts)
    assert [(p.partition_index, p.partition_count, p.partition) for p in plans] == [
        (i, 3, part) for i, part in enumerate(parts)
    ]
    assert [(p.partition, p.partition_count) for p in planning.unit_plans("src", table, [])] == [(None, 1)]


async def test_a_slow_watcher_never_blocks_publishing_and_always_gets_the_terminal_event() -> None:
    orchestrator = Orchestrator(cast(Any, None), cast(Any, None))
    slow = orchestrator.subscribe("job")
    fast = orchestrator.subscribe("job")
    seen: list[Event] = []

    async def read_fast() -> None:
        while True:
            event = await fast.get()
            seen.append(event)
            if event.terminal:
                return

    reader = asyncio.create_task(read_fast())
    for i in range(WATCH_QUEUE_SIZE * 10):  # never awaits: a full queue cannot block the orchestrator
        orchestrator.publish("job", Event("PROGRESS", f"unit {i}"))
        if i % 8 == 0:
            await asyncio.sleep(0)
    orchestrator.publish("job", Event("STATE_CHANGED", "SUCCEEDED", terminal=True))
    await asyncio.wait_for(reader, 5)
    assert seen[-1].terminal and len(seen) > WATCH_QUEUE_SIZE  # the reading watcher saw the stream
    assert slow.qsize() <= WATCH_QUEUE_SIZE  # the slow one's queue stayed bounded...
    drained = [slow.get_nowait() for _ in range(slow.qsize())]
    assert drained[-1].terminal and drained[-1].detail == "SUCCEEDED"  # ...and still ends with the terminal event
    orchestrator.unsubscribe("job", slow)
    orchestrator.unsubscribe("job", fast)
    assert "job" not in orchestrator._watchers
