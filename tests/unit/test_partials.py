"""One table scanned as partitions (row ranges), partials round-tripped through JSON and
merged, gives the findings of one pass over the whole table."""

from __future__ import annotations

import itertools
import json
import math
import random
from collections.abc import Iterator, Sequence
from typing import Any

import numpy as np
import pytest
from faker import Faker
from stdnum import luhn

from scanrules_server.engine.column import ColumnInfo, ColumnProfile
from scanrules_server.engine.compiler import CompiledRuleSet
from scanrules_server.engine.decision import Finding
from scanrules_server.engine.evaluate import MAX_EVIDENCE, RuleTally
from scanrules_server.engine.partials import (
    BoundedDistinctProfile,
    MergedScanResult,
    merge_partials,
    scan_partial,
)
from scanrules_server.engine.scanner import ScanResult, Table, scan_tables

TABLE = "public.customers"
N = 20_000
BATCH = 2048
COUNTRIES = ["US", "DE", "FR", "GB", "NL", "ES", "IT", "PL", "SE", "JP"]

Data = dict[str, list[str | None]]


def _card(rng: random.Random) -> str:
    body = "4" + "".join(rng.choice("0123456789") for _ in range(14))
    return body + luhn.calc_check_digit(body)


@pytest.fixture(scope="module")
def data() -> Data:
    fake = Faker()
    fake.seed_instance(7)
    rng = random.Random(7)
    return {
        "id": [str(100_000 + i) for i in range(N)],
        "email": [fake.email() for _ in range(N)],
        "card_number": [_card(rng) for _ in range(N)],
        "customer_name": [fake.name() for _ in range(N)],
        "country": [rng.choice(COUNTRIES) for _ in range(N)],
        "notes": [fake.sentence() for _ in range(N)],
        "phone": [fake.phone_number() if rng.random() < 0.6 else None for _ in range(N)],
        "ip_address": [fake.ipv4() for _ in range(N)],
        "iban": [fake.iban() for _ in range(N)],
        "birth_date": [fake.date_of_birth().isoformat() for _ in range(N)],
        "amount": [f"{rng.uniform(1, 1000):.2f}" for _ in range(N)],
        "ssn": [fake.ssn() for _ in range(N)],
    }


def _columns(data: Data) -> list[ColumnInfo]:
    return [ColumnInfo(TABLE, name) for name in data]


def _table(data: Data, lo: int, hi: int) -> Table:
    def batches() -> Iterator[dict[str, Sequence[object]]]:
        for start in range(lo, hi, BATCH):
            end = min(hi, start + BATCH)
            yield {name: values[start:end] for name, values in data.items()}

    return Table(TABLE, _columns(data), batches())


@pytest.fixture(scope="module")
def whole(builtin: CompiledRuleSet, data: Data) -> ScanResult:
    return scan_tables(builtin, [_table(data, 0, N)])


def _partials(compiled: CompiledRuleSet, data: Data, cuts: Sequence[int]) -> list[dict[str, Any]]:
    """Partials over [0, cuts[0]), [cuts[0], cuts[1]), ..., [cuts[-1], N), each through JSON."""
    bounds = [0, *cuts, N]
    out = []
    for lo, hi in itertools.pairwise(bounds):
        partial = scan_partial(compiled, _table(data, lo, hi))
        out.append(json.loads(json.dumps(partial, allow_nan=False)))
    return out


def _merge(compiled: CompiledRuleSet, data: Data, partials: Sequence[dict[str, Any]]) -> MergedScanResult:
    return merge_partials(compiled, TABLE, _columns(data), partials)


def _by_key(findings: Sequence[Finding]) -> dict[tuple[str, str], Finding]:
    return {(f.column, f.classification): f for f in findings}


def _assert_same_findings(merged: ScanResult, whole: ScanResult) -> None:
    got, want = _by_key(merged.findings), _by_key(whole.findings)
    assert set(got) == set(want)
    for key, w in want.items():
        g = got[key]
        assert (g.rule, g.sampled, g.non_null, g.matched, g.distinct) == (
            w.rule,
            w.sampled,
            w.non_null,
            w.matched,
            w.distinct,
        ), key
        if w.validated_estimated or g.validated_estimated:
            # Each partition checks its own sample when the validation cap is hit.
            assert g.validated == pytest.approx(w.validated, rel=0.05), key
        else:
            assert g.validated == w.validated, key
        assert g.confidence == pytest.approx(w.confidence, abs=0.01), key
        assert len(g.evidence) == len(w.evidence), key
    assert [(f.table, f.column) for f in merged.findings] == [(f.table, f.column) for f in whole.findings]
    s, w_stats = merged.stats, whole.stats
    assert (s.tables, s.columns, s.rows, s.values, s.bytes) == (
        w_stats.tables,
        w_stats.columns,
        w_stats.rows,
        w_stats.values,
        w_stats.bytes,
    )


def test_whole_scan_finds_what_the_partition_tests_rely_on(whole: ScanResult) -> None:
    found = {(f.column, f.classification) for f in whole.findings}
    assert {
        ("email", "EMAIL_ADDRESS"),
        ("card_number", "CREDIT_CARD_NUMBER"),
        ("customer_name", "PERSON_NAME"),
        ("phone", "PHONE_NUMBER"),
    } <= found
    assert not any(column in ("id", "country", "notes", "amount") for column, _ in found)


def test_four_uneven_partitions_merge_to_the_whole_scan(
    builtin: CompiledRuleSet, data: Data, whole: ScanResult
) -> None:
    partials = _partials(builtin, data, [1_000, 10_000, 13_500])
    merged = _merge(builtin, data, partials)
    _assert_same_findings(merged, whole)
    assert merged.sketches_comparable and merged.approximate_distinct == []
    assert merged.partitions == 4
    assert merged.profiles["country"].distinct == len(COUNTRIES)
    phone = merged.profiles["phone"]
    assert phone.non_null == sum(v is not None for v in data["phone"]) < phone.sampled == N
    # emails need no confirmation, so every match is kept in order: the examples are the single pass's
    email = ("email", "EMAIL_ADDRESS")
    assert _by_key(merged.findings)[email].evidence == _by_key(whole.findings)[email].evidence


@pytest.mark.parametrize("seed", [1, 2, 3])
def test_random_split_points_give_the_same_classifications(
    builtin: CompiledRuleSet, data: Data, whole: ScanResult, seed: int
) -> None:
    rng = random.Random(seed)
    cuts = sorted(rng.sample(range(1, N), rng.randint(1, 6)))
    merged = _merge(builtin, data, _partials(builtin, data, cuts))
    assert set(_by_key(merged.findings)) == set(_by_key(whole.findings)), cuts
    for key, w in _by_key(whole.findings).items():
        g = _by_key(merged.findings)[key]
        assert (g.matched, g.non_null, g.distinct) == (w.matched, w.non_null, w.distinct), (cuts, key)
    assert merged.stats.rows == N


def test_single_partition_equals_the_whole_scan(builtin: CompiledRuleSet, data: Data, whole: ScanResult) -> None:
    merged = _merge(builtin, data, _partials(builtin, data, []))
    assert [f.to_dict() for f in merged.findings] == [f.to_dict() for f in whole.findings]
    assert merged.stats.rows == whole.stats.rows and merged.stats.bytes == whole.stats.bytes


def test_mismatched_hash_probe_falls_back_and_says_so(builtin: CompiledRuleSet, data: Data, whole: ScanResult) -> None:
    cuts = [5_000, 12_000, 15_000]
    partials = _partials(builtin, data, cuts)
    partials[2]["hash_probe"] += 1  # as if partition 2 ran in a process with another hash seed
    merged = _merge(builtin, data, partials)
    assert not merged.sketches_comparable
    assert sorted(merged.approximate_distinct) == sorted(data)
    country = merged.profiles["country"]
    assert isinstance(country, BoundedDistinctProfile)
    # partitions 0, 1, 3 form one comparable group and partition 2 another: their counts are summed
    group_a = set(data["country"][:12_000] + data["country"][15_000:])
    group_b = set(data["country"][12_000:15_000])
    assert country.distinct == len(group_a) + len(group_b) == 2 * len(COUNTRIES)
    assert merged.profiles["id"].distinct <= merged.profiles["id"].non_null == N
    # counts are unaffected, and every finding explains its distinct count
    want = _by_key(whole.findings)
    for key, finding in _by_key(merged.findings).items():
        if key in want:
            assert (finding.matched, finding.non_null) == (want[key].matched, want[key].non_null)
            assert finding.distinct >= want[key].distinct * 0.98
        assert "upper bound" in str(finding.explanation[-1]["detail"])
    assert ("email", "EMAIL_ADDRESS") in _by_key(merged.findings)


def test_empty_partitions_merge_fine(builtin: CompiledRuleSet, data: Data, whole: ScanResult) -> None:
    cuts = [0, 7_000, 7_000, 18_000, N]  # empty first, middle and last partitions
    partials = _partials(builtin, data, cuts)
    assert [p["stats"]["rows"] for p in partials].count(0) == 3
    empty = partials[0]
    assert all(c["tallies"] == {} and c["profile"]["kmv"] == [] for c in empty["columns"].values())
    merged = _merge(builtin, data, partials)
    _assert_same_findings(merged, whole)
    # partials of nothing but empty partitions decide like a scan of an empty table
    only_empty = _merge(builtin, data, [empty, partials[2]])
    empty_scan = scan_tables(builtin, [Table(TABLE, _columns(data), [])])
    assert [f.to_dict() for f in only_empty.findings] == [f.to_dict() for f in empty_scan.findings]
    assert only_empty.stats.rows == 0 and only_empty.profiles["email"].non_null == 0


def _walk(value: object) -> Iterator[object]:
    yield value
    if isinstance(value, dict):
        for k, v in value.items():
            assert isinstance(k, str)
            yield from _walk(v)
    elif isinstance(value, list):
        for v in value:
            yield from _walk(v)


def test_a_partial_is_plain_json_and_bounded(builtin: CompiledRuleSet, data: Data) -> None:
    partial = scan_partial(builtin, _table(data, 0, N))
    allowed = (str, int, float, bool, list, dict, type(None))
    assert all(type(v) in allowed for v in _walk(partial))
    text = json.dumps(partial, allow_nan=False)
    assert json.loads(text) == partial
    # 12 columns: at most 4,096 hashes each, a few evidence strings per rule
    assert len(text) < 12 * 4096 * 21 + 50_000
    kmv = partial["columns"]["email"]["profile"]["kmv"]
    assert len(kmv) == 4096 and all(-(2**63) <= h < 2**63 for h in kmv)
    assert partial["columns"]["card_number"]["profile"]["saturated"] is True
    assert all(len(t["evidence"]) <= MAX_EVIDENCE for c in partial["columns"].values() for t in c["tallies"].values())


def test_partials_of_another_table_or_rule_set_are_refused(builtin: CompiledRuleSet, data: Data) -> None:
    partial = scan_partial(builtin, _table(data, 0, 100))
    with pytest.raises(ValueError, match="table"):
        merge_partials(builtin, "public.other", _columns(data), [partial])
    with pytest.raises(ValueError, match="rule set"):
        merge_partials(builtin, TABLE, _columns(data), [{**partial, "ruleset": "0" * 16}])


def test_profile_merge_equals_one_profile_over_all_values() -> None:
    rng = random.Random(3)
    values = [str(rng.randint(0, 30_000)) for _ in range(12_000)] + ["inf", "-5.5", "nan"]
    whole = ColumnProfile()
    for start in range(0, len(values), 1000):
        whole.add(len(values[start : start + 1000]), values[start : start + 1000], want_numbers=True)
    merged = ColumnProfile()
    for lo, hi in [(0, 3000), (3000, 3000), (3000, 11_000), (11_000, len(values))]:
        part = ColumnProfile()
        for start in range(lo, hi, 1000):
            chunk = values[start : min(hi, start + 1000)]
            part.add(len(chunk), chunk, want_numbers=True)
        merged.merge(ColumnProfile.from_dict(json.loads(json.dumps(part.to_dict(), allow_nan=False))))
    assert merged.distinct == whole.distinct and merged.distinct != len(set(values))  # saturated estimate
    assert np.array_equal(merged._kmv, whole._kmv) and merged._saturated and whole._saturated
    fields = ("sampled", "non_null", "length_sum", "min_length", "max_length", "min_value")
    assert [getattr(merged, f) for f in fields] == [getattr(whole, f) for f in fields]
    assert merged.max_value == math.inf == whole.max_value and merged.min_value == -5.5


def test_tally_round_trip_and_merge() -> None:
    a = RuleTally(10, 8, 6, 50, 100, ["*1", "*2"], {3: 4, 17: 1})
    b = RuleTally(5, 5, 5, 20, 40, ["*3", "*4"], {3: 2, 5: 5})
    restored = RuleTally.from_dict(json.loads(json.dumps(a.to_dict())))
    assert restored == a and all(isinstance(k, int) for k in restored.overlaps)
    restored.merge(b)
    assert (restored.matched, restored.checked, restored.checked_valid) == (15, 13, 11)
    assert (restored.span_chars, restored.value_chars) == (70, 140)
    assert restored.evidence == ["*1", "*2", "*3"]
    assert restored.overlaps == {3: 6, 17: 1, 5: 5}


def test_distinct_is_exact_for_a_low_cardinality_column_fed_in_one_big_batch() -> None:
    """Regression: a >16k-value batch used to keep duplicates among its K+1 smallest hashes (11 of 50)."""
    one_batch = ColumnProfile()
    values = [f"code{i % 50}" for i in range(20_000)]
    one_batch.add(len(values), values)
    in_small_batches = ColumnProfile()
    for start in range(0, len(values), 2048):
        chunk = values[start : start + 2048]
        in_small_batches.add(len(chunk), chunk)
    assert one_batch.distinct == in_small_batches.distinct == 50
