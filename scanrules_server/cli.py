"""`scanrules`: the embedded command line (scan, detect, classifications)."""

from __future__ import annotations

import argparse
import json
import logging
import sys
from collections.abc import Iterator, Sequence
from functools import lru_cache

from .connectors import open_source
from .connectors.base import Connector
from .domain.errors import ScanRulesError
from .engine.cache import compiled_builtin
from .engine.compiler import CompiledRuleSet, compile_rules
from .engine.detect import detect
from .engine.library import builtin_classifications
from .engine.rulesets import load_rule_set_file
from .engine.scanner import ScanResult, Table, scan_tables

log = logging.getLogger("scanrules.cli")

DEFAULT_SAMPLE_SIZE = 10_000
BATCH_SIZE = 65_536


@lru_cache(maxsize=1)
def builtin_compiled() -> CompiledRuleSet:
    return compiled_builtin()


def _tables(connector: Connector, limit: int | None, batch_size: int) -> Iterator[Table]:
    for schema in connector.discover():
        yield Table(schema.name, schema.columns, connector.batches(schema, limit, batch_size))


def run_scan(source: str, rule_set: str | None, sample_size: int, batch_size: int = BATCH_SIZE) -> ScanResult:
    compiled = compile_rules(load_rule_set_file(rule_set)) if rule_set else builtin_compiled()
    connector = open_source(source)
    try:
        return scan_tables(compiled, _tables(connector, sample_size or None, batch_size))
    finally:
        connector.close()


def _print_table(result: ScanResult) -> None:
    from rich.console import Console
    from rich.table import Table as RichTable

    table = RichTable(title=f"{len(result.findings)} findings")
    for header in ("table", "column", "classification", "confidence", "match ratio", "evidence"):
        table.add_column(header)
    for f in result.findings:
        table.add_row(
            f.table, f.column, f.classification, f"{f.confidence:.2f}", f"{f.match_ratio:.1%}", ", ".join(f.evidence)
        )
    console = Console(width=None if sys.stdout.isatty() else 200)
    console.print(table)
    s = result.stats.to_dict()
    console.print(f"{s['tables']} tables, {s['columns']} columns, {s['values']} values in {s['seconds']} s")


def _cmd_scan(args: argparse.Namespace) -> int:
    if args.sample_size < 0:
        raise ScanRulesError("--sample-size must be 0 (everything) or positive")
    result = run_scan(args.source, args.rule_set, args.sample_size)
    if args.format == "json":
        doc = {"findings": [f.to_dict() for f in result.findings], "stats": result.stats.to_dict()}
        json.dump(doc, sys.stdout, ensure_ascii=False)
        sys.stdout.write("\n")
    else:
        _print_table(result)
    return 0


def _cmd_detect(args: argparse.Namespace) -> int:
    compiled = builtin_compiled()
    chunk: list[str] = []

    def flush() -> None:
        for names in detect(compiled, chunk):
            sys.stdout.write(json.dumps(sorted(names)) + "\n")
        chunk.clear()

    for line in sys.stdin:
        chunk.append(line.rstrip("\r\n"))
        if len(chunk) >= 4096:
            flush()
    flush()
    return 0


def _cmd_classifications(args: argparse.Namespace) -> int:
    items = [
        {
            "name": c.name,
            "category": c.category,
            "countries": list(c.countries),
            "aliases": list(c.aliases),
            "description": c.description,
        }
        for c in builtin_classifications()
    ]
    if args.format == "json":
        json.dump(items, sys.stdout, ensure_ascii=False)
        sys.stdout.write("\n")
        return 0
    from rich.console import Console
    from rich.table import Table as RichTable

    table = RichTable(title=f"{len(items)} built-in classifications")
    for header in ("name", "category", "countries", "aliases"):
        table.add_column(header)
    for item in items:
        table.add_row(item["name"], item["category"], ", ".join(item["countries"]), ", ".join(item["aliases"]))  # type: ignore[arg-type]
    Console(width=None if sys.stdout.isatty() else 200).print(table)
    return 0


def _cmd_serve(args: argparse.Namespace) -> int:
    import asyncio

    from .app import serve
    from .settings import Settings

    logging.getLogger("scanrules").setLevel(getattr(logging, args.log_level.upper()))
    settings = Settings(host=args.host, port=args.port, metrics_port=args.metrics_port)
    if args.database_url:
        settings.database_url = args.database_url
    try:
        asyncio.run(serve(settings))
    except (RuntimeError, OSError) as exc:
        print(f"scanrules: {exc}", file=sys.stderr)
        return 2
    return 0


def _cmd_migrate(args: argparse.Namespace) -> int:
    from .persistence.migrate import run_upgrade
    from .settings import Settings

    url = args.database_url or Settings().database_url
    try:
        run_upgrade(url, args.revision)
    except Exception as exc:
        print(f"scanrules: migration failed: {type(exc).__name__}: {exc}".splitlines()[0], file=sys.stderr)
        return 2
    print(f"database at {args.revision}")
    return 0


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="scanrules", description="Find and classify sensitive data.")
    sub = parser.add_subparsers(dest="command", required=True)
    scan = sub.add_parser("scan", help="scan a database or files with the built-in library or a rule set")
    scan.add_argument("source", help="sqlite:///path.db, a CSV/JSONL/Parquet file, or a folder of them")
    scan.add_argument("--rule-set", help="YAML rule set file (default: the built-in library)")
    scan.add_argument(
        "--sample-size",
        type=int,
        default=DEFAULT_SAMPLE_SIZE,
        help=f"rows read per table (default {DEFAULT_SAMPLE_SIZE}; 0 reads everything)",
    )
    scan.add_argument("--format", choices=("json", "table"), default="table")
    scan.set_defaults(func=_cmd_scan)
    det = sub.add_parser("detect", help="classify each stdin line alone with the built-in library")
    det.add_argument("--format", choices=("json",), default="json")
    det.set_defaults(func=_cmd_detect)
    cls = sub.add_parser("classifications", help="list the built-in classifications")
    cls.add_argument("--format", choices=("json", "table"), default="table")
    cls.set_defaults(func=_cmd_classifications)
    srv = sub.add_parser("serve", help="run the gRPC service")
    srv.add_argument("--host", default="127.0.0.1", help="address to bind (default 127.0.0.1)")
    srv.add_argument("--port", type=int, default=50051, help="port (default 50051; 0 picks a free one)")
    srv.add_argument(
        "--database-url",
        help="SQLAlchemy URL (env SCANRULES_DATABASE_URL; default sqlite+aiosqlite:///./scanrules.db)",
    )
    srv.add_argument("--metrics-port", type=int, default=0, help="Prometheus /metrics port (default off)")
    srv.add_argument("--log-level", default="info", choices=("debug", "info", "warning", "error"))
    srv.set_defaults(func=_cmd_serve)
    mig = sub.add_parser("migrate", help="upgrade the database schema (Alembic)")
    mig.add_argument("--database-url", help="SQLAlchemy URL (env SCANRULES_DATABASE_URL)")
    mig.add_argument("--revision", default="head")
    mig.set_defaults(func=_cmd_migrate)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    logging.basicConfig(level=logging.WARNING, format="%(asctime)s %(levelname)s %(name)s %(message)s")
    args = build_parser().parse_args(argv)
    try:
        code: int = args.func(args)
        return code
    except ScanRulesError as exc:
        print(f"scanrules: {exc}", file=sys.stderr)
        return 2
    except BrokenPipeError:
        return 0


if __name__ == "__main__":
    sys.exit(main())
