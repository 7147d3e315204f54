"""Scan-engine benchmark: throughput, Presidio comparison, memory, accuracy, matcher.

Run:  .venv/bin/python bench/engine.py [--values N] [--presidio-values N] [--matcher-values N] [--quick]
                                       [--sections throughput,presidio,memory,accuracy,matcher]

a. Throughput — N values (default 1,000,000) in 12 columns drawn from the labeled
   corpus kinds (~20k distinct values per column, tiled and shuffled with a seeded
   RNG), one table scanned with the whole built-in library, every row
   (`--sample-size 0` semantics), batches of 65,536.
b. Presidio — a stratified subset of the same values (equal per column) through
   Presidio's AnalyzerEngine with the no-op NLP engine and its default recognizers,
   via BatchAnalyzerEngine.analyze_iterator; target ours/presidio >= 300x.
c. Memory — peak RSS of `scanrules scan FILE --sample-size 0 --format json` on a
   100,000-row and a 10,000,000-row Parquet file (2M with --quick), each in its own
   wrapper subprocess (RUSAGE_CHILDREN.ru_maxrss); target large/small <= 2x.
d. Accuracy — every corpus column (bench/corpus.py) scanned with the built-in
   library; column-level precision/recall/F1 per classification and micro overall;
   targets F1 >= 0.97, precision >= 0.98; every false positive/negative is listed.
e. Matcher — the library's value patterns on a stratified subset of the throughput
   values (default 200,000): `Matcher.scan` (Hyperscan over one newline-joined buffer
   per column batch, numpy row mapping; main database and gated=True) against one
   `re2.Set` of the same patterns called per value, plus the bare Hyperscan scan; both
   ways must report the same (pattern, row) pairs on a 10,000-value sample.

The script is a report: it exits 0 whatever the numbers (1 only if a section crashed).
"""

from __future__ import annotations

import os

# Must be set before presidio (tldextract) is imported: never fetch the suffix list.
os.environ["TLDEXTRACT_PUBLIC_SUFFIX_LIST_URLS"] = ""

import argparse
import json
import logging
import math
import random
import shutil
import subprocess
import sys
import tempfile
import time
import traceback
import warnings
from collections import defaultdict
from collections.abc import Callable, Iterator, Sequence
from pathlib import Path

import numpy as np
import re2

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from bench.corpus import LabeledColumn, build_corpus, generate_values, spec_by_kind  # noqa: E402
from bench.report import print_table, section, verdict  # noqa: E402
from scanrules_server.engine.column import ColumnInfo  # noqa: E402
from scanrules_server.engine.compiler import CompiledRuleSet, builtin_rule_specs, compile_rules  # noqa: E402
from scanrules_server.engine.detect import detect  # noqa: E402
from scanrules_server.engine.matcher import Matcher  # noqa: E402
from scanrules_server.engine.scanner import Table, scan_tables  # noqa: E402

BATCH_SIZE = 65_536
DISTINCT_PER_COLUMN = 20_000
THROUGHPUT_KINDS = (
    "customers.email",
    "customers.phone",
    "customers_uk.full_name",
    "customers.street_address",
    "payments.card_number",
    "hr_people.social_security_number",
    "access_log.client_ip",
    "objects.guid",
    "orders.order_date",
    "orders.price",
    "support_tickets.notes",
    "products.sku",
)
TARGET_RATIO = 300.0
TARGET_MEMORY = 2.0
TARGET_F1 = 0.97
TARGET_PRECISION = 0.98
MATCHER_CHECK_VALUES = 10_000
MATCHER_REPEAT = 3


# ------------------------------------------------------------------ printing


# ---------------------------------------------------------------- throughput


def throughput_columns(total: int, seed: int) -> list[tuple[str, list[str]]]:
    """(column name, values) for the throughput table: tiled, shuffled pools."""
    per_column = math.ceil(total / len(THROUGHPUT_KINDS))
    distinct = min(DISTINCT_PER_COLUMN, per_column)
    rng = random.Random(seed)
    out: list[tuple[str, list[str]]] = []
    used: set[str] = set()
    for kind in THROUGHPUT_KINDS:
        spec = spec_by_kind(kind)
        pool = [v for v in generate_values(spec, distinct, seed, nulls=False) if v is not None]
        values = (pool * math.ceil(per_column / len(pool)))[:per_column]
        rng.shuffle(values)
        name = spec.column if spec.column not in used else f"{spec.table}_{spec.column}"
        used.add(name)
        out.append((name, values))
    return out


def _batches(columns: list[tuple[str, list[str]]], size: int) -> Iterator[dict[str, list[str]]]:
    n = max(len(v) for _, v in columns)
    for start in range(0, n, size):
        yield {name: values[start : start + size] for name, values in columns}


def run_throughput(
    args: argparse.Namespace, compiled: object, columns: list[tuple[str, list[str]]]
) -> dict[str, float]:
    section(
        f"a. Throughput — whole built-in library ({len(compiled.rules)} rules), all rows, batches of {BATCH_SIZE:,}"
    )  # type: ignore[attr-defined]
    table = Table("throughput", [ColumnInfo("throughput", name) for name, _ in columns], _batches(columns, BATCH_SIZE))
    result = scan_tables(compiled, [table])  # type: ignore[arg-type]
    s = result.stats
    vps = s.values / s.seconds
    mbps = s.bytes / s.seconds / 1e6
    rows = [(name, f"{len(v):,}", f"{len(set(v)):,}", f"{sum(map(len, v)) / len(v):.1f}") for name, v in columns]
    print_table(("column", "values", "distinct", "avg chars"), rows)
    found = defaultdict(list)
    for f in result.findings:
        found[f.column].append(f"{f.classification} ({f.confidence:.2f})")
    print("findings on the throughput table: " + "; ".join(f"{c}: {', '.join(v)}" for c, v in found.items()))
    print_table(
        ("values", "MB (chars)", "seconds", "values/s", "MB/s"),
        [(f"{s.values:,}", f"{s.bytes / 1e6:.1f}", f"{s.seconds:.2f}", f"{vps:,.0f}", f"{mbps:.2f}")],
    )
    return {"values": s.values, "seconds": s.seconds, "vps": vps, "mbps": mbps}


# ------------------------------------------------------------------ presidio


def build_presidio() -> tuple[object, str]:
    """Presidio's analyzer with the no-op NLP engine (no spaCy model needed)."""
    warnings.filterwarnings("ignore")
    logging.getLogger("presidio-analyzer").setLevel(logging.ERROR)
    from presidio_analyzer import AnalyzerEngine, BatchAnalyzerEngine
    from presidio_analyzer.nlp_engine import NlpEngineProvider

    config = {"nlp_engine_name": "no_op", "models": [{"lang_code": "en", "model_name": "no_op"}]}
    nlp = NlpEngineProvider(nlp_configuration=config).create_engine()
    analyzer = AnalyzerEngine(nlp_engine=nlp, supported_languages=["en"])
    names = sorted(r.name for r in analyzer.registry.recognizers)
    return BatchAnalyzerEngine(analyzer_engine=analyzer), ", ".join(names)


def run_presidio(
    args: argparse.Namespace, columns: list[tuple[str, list[str]]], ours: dict[str, float] | None
) -> dict[str, float]:
    section("b. Presidio — same kind of values, stratified subset")
    per_column = max(1, args.presidio_values // len(columns))
    subset = [v for _, values in columns for v in values[:per_column]]
    started = time.perf_counter()
    batch, recognizers = build_presidio()
    setup = time.perf_counter() - started
    print(
        "presidio_analyzer: AnalyzerEngine(nlp_engine=NlpEngineProvider(no_op).create_engine()), "
        f"default recognizers: {recognizers}"
    )
    list(batch.analyze_iterator(subset[:20], language="en"))  # warm-up (lazy initialisation), not timed
    started = time.perf_counter()
    results = list(batch.analyze_iterator(subset, language="en"))  # type: ignore[attr-defined]
    seconds = time.perf_counter() - started
    hits = sum(1 for r in results if r)
    vps = len(subset) / seconds
    mbps = sum(map(len, subset)) / seconds / 1e6
    out = {"values": len(subset), "seconds": seconds, "vps": vps, "mbps": mbps}
    rows = [("presidio (no_op NLP)", f"{len(subset):,}", f"{seconds:.2f}", f"{vps:,.0f}", f"{mbps:.4f}")]
    if ours:
        rows.insert(
            0,
            (
                "scanrules (built-in library)",
                f"{ours['values']:,.0f}",
                f"{ours['seconds']:.2f}",
                f"{ours['vps']:,.0f}",
                f"{ours['mbps']:.2f}",
            ),
        )
    print(
        f"{per_column} values per column x {len(columns)} columns; analyzer setup {setup:.1f}s (not timed); "
        f"values with >=1 Presidio result: {hits:,}"
    )
    print_table(("engine", "values", "seconds", "values/s", "MB/s"), rows)
    if ours:
        ratio = ours["vps"] / vps
        out["ratio"] = ratio
        print(f"ratio ours/presidio: {ratio:,.0f}x   target >= {TARGET_RATIO:.0f}x   {verdict(ratio >= TARGET_RATIO)}")
    return out


# -------------------------------------------------------------------- memory

_WRAPPER = (
    "import resource, subprocess, sys, time\n"
    "t = time.perf_counter()\n"
    "with open(sys.argv[1], 'wb') as out:\n"
    "    r = subprocess.run(sys.argv[2:], stdout=out)\n"
    "print(resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss, r.returncode, time.perf_counter() - t)\n"
)


def write_parquet(path: Path, rows: int, pools: dict[str, list[str]], seed: int, chunk: int = 500_000) -> None:
    """Stream `rows` rows into a Parquet file, chunk by chunk (never all in memory)."""
    import numpy as np
    import pyarrow as pa
    import pyarrow.parquet as pq

    rng = np.random.default_rng(seed)
    arrays = {name: np.array(pool, dtype=object) for name, pool in pools.items()}
    schema = pa.schema([(name, pa.string()) for name in pools])
    with pq.ParquetWriter(path, schema) as writer:
        done = 0
        while done < rows:
            n = min(chunk, rows - done)
            cols = [pa.array(arrays[name][rng.integers(0, len(arrays[name]), n)], type=pa.string()) for name in pools]
            writer.write_table(pa.Table.from_arrays(cols, schema=schema))
            done += n


def _scan_command() -> list[str]:
    exe = Path(sys.executable).with_name("scanrules")
    if exe.exists():
        return [str(exe)]
    found = shutil.which("scanrules")
    return [found] if found else [sys.executable, "-m", "scanrules_server.cli"]


def measure_scan(path: Path, workdir: Path) -> dict[str, float]:
    out = workdir / (path.stem + ".json")
    cmd = [
        sys.executable,
        "-c",
        _WRAPPER,
        str(out),
        *_scan_command(),
        "scan",
        str(path),
        "--sample-size",
        "0",
        "--format",
        "json",
    ]
    proc = subprocess.run(cmd, capture_output=True, text=True, check=True)
    maxrss_kb, code, wall = proc.stdout.split()
    if int(code) != 0:
        raise RuntimeError(f"scan of {path} exited {code}: {proc.stderr[-2000:]}")
    doc = json.loads(out.read_text())
    return {
        "rss_mb": int(maxrss_kb) / 1024,
        "wall": float(wall),
        "rows": doc["stats"]["rows"],
        "values": doc["stats"]["values"],
        "scan_seconds": doc["stats"]["seconds"],
        "findings": len(doc["findings"]),
        "size_mb": path.stat().st_size / 1e6,
    }


def run_memory(args: argparse.Namespace) -> dict[str, float]:
    large_rows = args.memory_rows or (2_000_000 if args.quick else 10_000_000)
    section(f"c. Memory — peak RSS of `scanrules scan FILE --sample-size 0`, 100,000 vs {large_rows:,} rows")
    pools = {
        "email": [
            v
            for v in generate_values(spec_by_kind("customers.email"), DISTINCT_PER_COLUMN, args.seed, nulls=False)
            if v
        ],
        "phone": [
            v
            for v in generate_values(spec_by_kind("customers.phone"), DISTINCT_PER_COLUMN, args.seed, nulls=False)
            if v
        ],
    }
    tmp = Path(tempfile.mkdtemp(prefix="scanrules-bench-"))
    try:
        results = {}
        for label, rows in (("baseline (info)", 1_000), ("small", 100_000), ("large", large_rows)):
            path = tmp / f"customers_{rows}.parquet"
            started = time.perf_counter()
            write_parquet(path, rows, pools, args.seed)
            written = time.perf_counter() - started
            results[label] = measure_scan(path, tmp)
            results[label]["write"] = written
            print(
                f"  {label}: wrote {rows:,} rows ({results[label]['size_mb']:.1f} MB) in {written:.1f}s, "
                f"scanned in {results[label]['wall']:.1f}s",
                flush=True,
            )
        rows_out = [
            (
                label,
                f"{r['rows']:,}",
                f"{r['values']:,}",
                f"{r['size_mb']:.1f}",
                f"{r['scan_seconds']:.1f}",
                f"{r['values'] / r['scan_seconds']:,.0f}",
                f"{r['rss_mb']:.0f}",
                r["findings"],
            )
            for label, r in results.items()
        ]
        print_table(("table", "rows", "values", "file MB", "scan s", "values/s", "peak RSS MB", "findings"), rows_out)
        ratio = results["large"]["rss_mb"] / results["small"]["rss_mb"]
        base = results["baseline (info)"]["rss_mb"]
        print(
            "(baseline = a 1,000-row file: interpreter, imports and the compiled library; data-dependent growth "
            f"small {results['small']['rss_mb'] - base:+.0f} MB, large {results['large']['rss_mb'] - base:+.0f} MB)"
        )
        print(
            f"peak RSS ratio large/small: {ratio:.2f}x   target <= {TARGET_MEMORY:.0f}x   "
            f"{verdict(ratio <= TARGET_MEMORY)}"
        )
        return {
            "small_mb": results["small"]["rss_mb"],
            "large_mb": results["large"]["rss_mb"],
            "ratio": ratio,
            "large_rows": large_rows,
        }
    finally:
        shutil.rmtree(tmp, ignore_errors=True)


# ------------------------------------------------------------------ accuracy


def prf(tp: int, fp: int, fn: int) -> tuple[float, float, float]:
    p = tp / (tp + fp) if tp + fp else 1.0
    r = tp / (tp + fn) if tp + fn else 1.0
    f = 2 * p * r / (p + r) if p + r else 0.0
    return p, r, f


def run_accuracy(args: argparse.Namespace, compiled: object) -> dict[str, float]:
    section("d. Accuracy — column-level, every corpus column, whole built-in library")
    skipped: list[tuple[str, str]] = []
    started = time.perf_counter()
    corpus = build_corpus(args.rows_per_column, args.seed, skipped=skipped)
    built = time.perf_counter() - started
    by_table: dict[str, list[LabeledColumn]] = defaultdict(list)
    for col in corpus:
        by_table[col.table].append(col)
    tables = [
        Table(name, [ColumnInfo(name, c.column) for c in cols], [{c.column: c.values for c in cols}])
        for name, cols in by_table.items()
    ]
    result = scan_tables(compiled, tables)  # type: ignore[arg-type]
    predicted: dict[tuple[str, str], dict[str, object]] = defaultdict(dict)
    for f in result.findings:
        predicted[(f.table, f.column)][f.classification] = f
    positives = sum(1 for c in corpus if c.labels)
    label_names = sorted({n for c in corpus for n in c.labels})
    print(
        f"corpus: {len(corpus)} columns ({positives} positive, {len(corpus) - positives} decoy) "
        f"x {args.rows_per_column:,} rows, seed {args.seed}, {len(label_names)} classifications labeled; "
        f"built in {built:.1f}s, scanned in {result.stats.seconds:.1f}s"
    )
    if skipped:
        print(f"left out ({len(skipped)}): " + "; ".join(f"{k} [{why}]" for k, why in skipped))

    per_class: dict[str, list[int]] = defaultdict(lambda: [0, 0, 0])
    fps: list[tuple[LabeledColumn, object]] = []
    fns: list[LabeledColumn | tuple] = []
    for col in corpus:
        got = predicted.get((col.table, col.column), {})
        for name, finding in got.items():
            if name in col.labels:
                per_class[name][0] += 1
            else:
                per_class[name][1] += 1
                fps.append((col, finding))
        for name in col.labels:
            if name not in got:
                per_class[name][2] += 1
                fns.append((col, name))
    tp = sum(v[0] for v in per_class.values())
    fp = sum(v[1] for v in per_class.values())
    fn = sum(v[2] for v in per_class.values())
    rows = []
    for name in sorted(per_class):
        t, f_, n = per_class[name]
        p, r, f1 = prf(t, f_, n)
        rows.append((name, t, f_, n, f"{p:.3f}", f"{r:.3f}", f"{f1:.3f}"))
    p, r, f1 = prf(tp, fp, fn)
    rows.append(("MICRO (all)", tp, fp, fn, f"{p:.3f}", f"{r:.3f}", f"{f1:.3f}"))
    print_table(("classification", "TP", "FP", "FN", "precision", "recall", "F1"), rows)
    print(f"micro precision {p:.3f} (target >= {TARGET_PRECISION})  {verdict(p >= TARGET_PRECISION)}")
    print(f"micro F1        {f1:.3f} (target >= {TARGET_F1})  {verdict(f1 >= TARGET_F1)}")
    decoys = [c for c in corpus if not c.labels]
    flagged = [c for c in decoys if predicted.get((c.table, c.column))]
    print(f"decoy columns with any finding: {len(flagged)} of {len(decoys)}")

    print()
    print(f"False positives ({len(fps)}): predicted classification not in the column's labels")
    fp_rows = []
    for col, f in sorted(fps, key=lambda x: (x[0].table, x[0].column)):
        fp_rows.append(
            (
                f"{col.table}.{col.column}",
                ",".join(sorted(col.labels)) or "- (decoy)",
                f.classification,  # type: ignore[attr-defined]
                f"{f.confidence:.2f}",  # type: ignore[attr-defined]
                f"{f.validated}/{f.non_null}",  # type: ignore[attr-defined]
                " | ".join(f.evidence)[:60],  # type: ignore[attr-defined]
            )
        )
    if fp_rows:
        print_table(
            ("table.column", "expected", "predicted", "conf", "validated/non-null", "evidence (masked)"), fp_rows
        )

    print()
    print(f"False negatives ({len(fns)}): labeled classification not found")
    fn_rows = []
    for col, name in sorted(fns, key=lambda x: (x[0].table, x[0].column)):
        values = [v for v in col.values if v is not None][:500]
        info = ColumnInfo(col.table, col.column)
        alone = sum(1 for names in detect(compiled, values) if name in names)  # type: ignore[arg-type]
        with_col = sum(1 for names in detect(compiled, values, info) if name in names)  # type: ignore[arg-type]
        got = predicted.get((col.table, col.column), {})
        other = ", ".join(f"{k} ({v.confidence:.2f})" for k, v in got.items()) or "-"  # type: ignore[attr-defined]
        fn_rows.append(
            (
                f"{col.table}.{col.column}",
                name,
                f"{alone / len(values):.0%}",
                f"{with_col / len(values):.0%}",
                other,
                " | ".join(values[:2])[:70],
            )
        )
    if fn_rows:
        print(
            "(value-level acceptance of the expected classification's match clause on up to 500 values: "
            "alone / with this column's name)"
        )
        print_table(
            ("table.column", "expected", "accepted alone", "accepted w/ column", "predicted instead", "sample values"),
            fn_rows,
        )
    return {"precision": p, "recall": r, "f1": f1, "tp": tp, "fp": fp, "fn": fn, "columns": len(corpus)}


# ------------------------------------------------------------------- matcher


class Re2SetScanner:
    """The alternative to `Matcher.scan`: one `re2.Set` over the main database's patterns, one call per value."""

    def __init__(self, matcher: Matcher) -> None:
        # The patterns `Matcher.scan(values)` (gated=False) reports: the main Hyperscan database
        # (every id not gated) plus any RE2-only pattern, which the matcher always runs.
        ids = sorted({i for i in matcher.hs_ids if i not in matcher.gated} | set(matcher.re2_ids))
        self.ids = np.asarray(ids, dtype=np.int64)
        started = time.perf_counter()
        self.set = re2.Set.SearchSet(re2.Options())
        for i in ids:
            regex = matcher.regexes[i]
            self.set.Add(("(?i)" if regex.caseless else "") + regex.source)
        self.set.Compile()
        self.compile_seconds = time.perf_counter() - started

    def scan(self, values: list[str]) -> tuple[np.ndarray, np.ndarray]:
        """(pattern, row) arrays sorted by (pattern, row), like `Hits.pattern` / `Hits.row`."""
        if any("\n" in v or "\r" in v for v in values):  # as Matcher.scan does
            values = [v.replace("\n", " ").replace("\r", " ") for v in values]
        match = self.set.Match
        found = [match(v) or () for v in values]
        counts = np.fromiter(map(len, found), dtype=np.int64, count=len(found))
        rows = np.repeat(np.arange(len(values), dtype=np.int64), counts)
        index = np.fromiter((i for f in found for i in f), dtype=np.int64, count=int(counts.sum()))
        pattern = self.ids[index] if len(index) else index
        order = np.lexsort((rows, pattern))
        return pattern[order], rows[order]


def _stratified(columns: list[tuple[str, list[str]]], total: int) -> list[tuple[str, list[str]]]:
    """The first values of every column, `total` in all, split as evenly as the columns allow."""
    share, extra = divmod(total, len(columns))
    return [(name, values[: share + (k < extra)]) for k, (name, values) in enumerate(columns)]


def _chunks(columns: list[tuple[str, list[str]]]) -> list[list[str]]:
    """Per column, batches of BATCH_SIZE: the unit the engine hands to the matcher."""
    return [values[i : i + BATCH_SIZE] for _, values in columns for i in range(0, len(values), BATCH_SIZE)]


def _best_of(repeat: int, fn: Callable[[], int]) -> tuple[float, int]:
    """Best wall time of `repeat` runs (the CPUs are shared) and what the last run returned."""
    best, out = math.inf, 0
    for _ in range(repeat):
        started = time.perf_counter()
        out = fn()
        best = min(best, time.perf_counter() - started)
    return best, out


def _pair_set(pattern: np.ndarray, row: np.ndarray) -> set[tuple[int, int]]:
    return set(zip(pattern.tolist(), row.tolist(), strict=True))


def run_matcher(
    args: argparse.Namespace, compiled: CompiledRuleSet, columns: list[tuple[str, list[str]]]
) -> dict[str, float]:
    matcher = compiled.matcher
    subset = _stratified(columns, min(args.matcher_values, sum(len(v) for _, v in columns)))
    chunks = _chunks(subset)
    n_values = sum(len(c) for c in chunks)
    main_db = matcher._hs_dbs[False]
    n_main = sum(1 for i in matcher.hs_ids if i not in matcher.gated)
    section(
        f"e. Matcher — value patterns of the built-in library on {n_values:,} of the throughput values "
        f"(~{n_values // len(subset):,} per column), Hyperscan buffer scan vs re2.Set per value"
    )
    re2_scan = Re2SetScanner(matcher)
    print(
        f"patterns: {len(matcher.regexes)} ({len(matcher.hs_ids)} Hyperscan, {len(matcher.re2_ids)} RE2-only); "
        f"main database {n_main}, gated database {len(matcher.gated)}; "
        f"re2.Set of {len(re2_scan.ids)} patterns compiled in {re2_scan.compile_seconds:.2f}s"
    )

    # Same (pattern, row) pairs from both ways, on a stratified 10k sample.
    check_chunks = _chunks(_stratified(subset, min(MATCHER_CHECK_VALUES, n_values)))
    n_check = sum(len(c) for c in check_chunks)
    pairs = 0
    diffs: list[str] = []
    for chunk in check_chunks:
        hits = matcher.scan(chunk)
        by_hs = _pair_set(hits.pattern, hits.row)
        by_set = _pair_set(*re2_scan.scan(chunk))
        pairs += len(by_hs)
        for label, extra in (("only Matcher.scan", by_hs - by_set), ("only re2.Set", by_set - by_hs)):
            for pid, row in sorted(extra)[:5]:
                diffs.append(f"{label}: pattern {pid} /{matcher.regexes[pid].source[:50]}/ on {chunk[row]!r:.60}")
    same = not diffs
    print(
        f"check on {n_check:,} values: Matcher.scan and re2.Set report "
        + (f"the same {pairs:,} (pattern,row) pairs — OK" if same else f"DIFFERENT pairs — MISMATCH ({len(diffs)}+)")
    )
    for line in diffs[:20]:
        print("  " + line)

    def by_matcher(gated: bool) -> Callable[[], int]:
        return lambda: sum(len(matcher.scan(chunk, gated=gated).pattern) for chunk in chunks)

    def by_re2() -> int:
        return sum(len(re2_scan.scan(chunk)[0]) for chunk in chunks)

    texts = [("\n".join(chunk)).encode("utf-8") for chunk in chunks]

    def noop(pid: int, start: int, end: int, flags: int, context: object) -> bool | None:
        return None

    def engine(handler: Callable[[int, int, int, int, object], bool | None] | None) -> Callable[[], int]:
        def run() -> int:
            for text in texts:
                # The stub says a handler is required; the extension takes None and then calls nothing.
                main_db.scan(text, match_event_handler=handler)  # type: ignore[arg-type]
            return 0

        return run

    def join() -> int:
        return sum(len("\n".join(chunk).encode("utf-8")) for chunk in chunks)

    repeat = MATCHER_REPEAT
    timings: list[tuple[str, float, int | None]] = []
    for label, fn in (
        ("(b) re2.Set.Match per value + numpy pairs", by_re2),
        ("(a) Matcher.scan(values)  [engine: main db]", by_matcher(False)),
        ("(a) Matcher.scan(values, gated=True)", by_matcher(True)),
        ("(c) main db.scan, no-op Python callback", engine(noop)),
        ("(c) main db.scan, no callback (C only)", engine(None)),
    ):
        seconds, found = _best_of(repeat, fn)
        timings.append((label, seconds, found if label.startswith(("(a)", "(b)")) else None))
    join_seconds, _ = _best_of(repeat, join)
    re2_vps = n_values / timings[0][1]
    rows = [
        (
            label,
            f"{n_values:,}",
            f"{seconds:.3f}",
            f"{n_values / seconds:,.0f}",
            f"{n_values / seconds / re2_vps:.2f}x",
            "-" if found is None else f"{found:,}",
        )
        for label, seconds, found in timings
    ]
    print(f"best of {repeat} runs each; other processes share the {os.cpu_count()} CPUs")
    print_table(("method", "values", "seconds", "values/s", "vs re2.Set", "(pattern,row) pairs"), rows)
    print(f"(c) excludes building the buffer: newline-join + UTF-8 encode of the same values takes {join_seconds:.3f}s")
    ours_vps = n_values / timings[1][1]
    speedup = ours_vps / re2_vps
    if speedup >= 1:
        line = (
            f"faster: Matcher.scan (Hyperscan over one buffer), {speedup:.2f}x re2.Set per value "
            f"({ours_vps:,.0f} vs {re2_vps:,.0f} values/s); the engine uses Matcher.scan, the faster one"
        )
    else:
        line = (
            f"faster: re2.Set per value, {1 / speedup:.2f}x Matcher.scan ({re2_vps:,.0f} vs {ours_vps:,.0f} "
            "values/s); the engine uses Matcher.scan, i.e. NOT the faster one"
        )
    print(line)
    assert same, "Matcher.scan and re2.Set report different (pattern,row) pairs (listed above)"
    return {
        "values": n_values,
        "ours_vps": ours_vps,
        "gated_vps": n_values / timings[2][1],
        "re2_vps": re2_vps,
        "engine_vps": n_values / timings[3][1],
        "speedup": speedup,
        "check_values": n_check,
        "check_pairs": pairs,
    }


# ---------------------------------------------------------------------- main


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument(
        "--values", type=int, default=1_000_000, help="values for the throughput scan (default 1,000,000)"
    )
    parser.add_argument("--presidio-values", type=int, default=3_000, help="values through Presidio (default 3,000)")
    parser.add_argument(
        "--memory-rows",
        type=int,
        default=None,
        help="rows of the large memory table (default 10,000,000; 2,000,000 with --quick)",
    )
    parser.add_argument(
        "--rows-per-column", type=int, default=2_000, help="rows per accuracy corpus column (default 2,000)"
    )
    parser.add_argument(
        "--matcher-values",
        type=int,
        default=200_000,
        help="throughput values for the matcher comparison (default 200,000)",
    )
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument(
        "--quick",
        action="store_true",
        help="large memory table of 2,000,000 rows instead of 10,000,000 (unless --memory-rows)",
    )
    parser.add_argument(
        "--sections",
        default="throughput,presidio,memory,accuracy,matcher",
        help="comma-separated subset to run",
    )
    args = parser.parse_args(argv)
    wanted = {s.strip() for s in args.sections.split(",") if s.strip()}
    logging.basicConfig(level=logging.ERROR)

    import platform

    print(
        f"scanrules engine benchmark — python {platform.python_version()}, {os.cpu_count()} CPUs, "
        f"{time.strftime('%Y-%m-%d %H:%M:%S')}"
    )
    started = time.perf_counter()
    specs = builtin_rule_specs()
    compiled = compile_rules(specs)
    print(f"built-in library: {len(specs)} classifications, compiled in {time.perf_counter() - started:.2f}s")

    results: dict[str, dict[str, float]] = {}
    crashed: list[str] = []
    columns: list[tuple[str, list[str]]] | None = None

    def guarded(name: str, fn, *a):  # type: ignore[no-untyped-def]
        try:
            results[name] = fn(*a)
        except Exception:
            crashed.append(name)
            print(f"!! section {name} crashed:")
            traceback.print_exc(file=sys.stdout)

    if wanted & {"throughput", "presidio", "matcher"}:
        t0 = time.perf_counter()
        columns = throughput_columns(args.values, args.seed)
        print(
            f"throughput data: {sum(len(v) for _, v in columns):,} values in {len(columns)} columns "
            f"generated in {time.perf_counter() - t0:.1f}s"
        )
    if "throughput" in wanted:
        guarded("throughput", run_throughput, args, compiled, columns)
    if "presidio" in wanted:
        guarded("presidio", run_presidio, args, columns, results.get("throughput"))
    if "memory" in wanted:
        guarded("memory", run_memory, args)
    if "accuracy" in wanted:
        guarded("accuracy", run_accuracy, args, compiled)
    if "matcher" in wanted:
        guarded("matcher", run_matcher, args, compiled, columns)

    section("Summary")
    rows = []
    t = results.get("throughput")
    rows.append(("throughput", f"{t['vps']:,.0f} values/s ({t['mbps']:.2f} MB/s)" if t else "-", "-", "-"))
    pr = results.get("presidio")
    if pr and "ratio" in pr:
        rows.append(
            (
                "ours / Presidio",
                f"{pr['ratio']:,.0f}x (Presidio {pr['vps']:,.0f} values/s)",
                f">= {TARGET_RATIO:.0f}x",
                verdict(pr["ratio"] >= TARGET_RATIO),
            )
        )
    else:
        rows.append(("ours / Presidio", "-", f">= {TARGET_RATIO:.0f}x", "n/a"))
    m = results.get("memory")
    if m:
        rows.append(
            (
                "peak RSS large/small",
                f"{m['ratio']:.2f}x ({m['small_mb']:.0f} MB @100k, "
                f"{m['large_mb']:.0f} MB @{m['large_rows'] / 1e6:g}M rows)",
                f"<= {TARGET_MEMORY:.0f}x",
                verdict(m["ratio"] <= TARGET_MEMORY),
            )
        )
    else:
        rows.append(("peak RSS large/small", "-", f"<= {TARGET_MEMORY:.0f}x", "n/a"))
    a = results.get("accuracy")
    if a:
        rows.append(
            (
                "accuracy micro F1",
                f"{a['f1']:.3f} (recall {a['recall']:.3f})",
                f">= {TARGET_F1}",
                verdict(a["f1"] >= TARGET_F1),
            )
        )
        rows.append(
            (
                "accuracy micro precision",
                f"{a['precision']:.3f} (TP {a['tp']}, FP {a['fp']}, FN {a['fn']})",
                f">= {TARGET_PRECISION}",
                verdict(a["precision"] >= TARGET_PRECISION),
            )
        )
    else:
        rows.append(("accuracy", "-", "-", "n/a"))
    mt = results.get("matcher")
    if mt:
        faster = "Matcher.scan" if mt["speedup"] >= 1 else "re2.Set per value"
        rows.append(
            (
                "Matcher.scan / re2.Set",
                f"{mt['speedup']:.2f}x, faster: {faster} ({mt['ours_vps']:,.0f} vs {mt['re2_vps']:,.0f} values/s); "
                f"same pairs on {mt['check_values']:,.0f} values",
                "engine uses the faster",
                verdict(mt["speedup"] >= 1),
            )
        )
    elif "matcher" in wanted:
        rows.append(("Matcher.scan / re2.Set", "-", "engine uses the faster", "n/a"))
    print_table(("measure", "result", "target", "verdict"), rows)
    if crashed:
        print(f"crashed sections: {', '.join(crashed)}")
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
