"""`scanrules`: the embedded command line (scan, detect, classifications)."""

from __future__ import annotations

import argparse
import json
import logging
import os
import sys
from collections.abc import Iterator, Sequence
from functools import lru_cache

from .cli_tokens import add_token_commands
from .connectors import Sampling, filter_tables, open_source
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
DEFAULT_SAMPLE = "random"
BATCH_SIZE = 65_536
PASSWORD_ENV = "SCANRULES_SOURCE_PASSWORD"


@lru_cache(maxsize=1)
def builtin_compiled() -> CompiledRuleSet:
    return compiled_builtin()


def _tables(
    connector: Connector, sampling: Sampling, batch_size: int, include: Sequence[str], exclude: Sequence[str]
) -> Iterator[Table]:
    for schema in filter_tables(connector.discover(), include, exclude):
        yield Table(schema.qualified, schema.columns, connector.batches(schema, sampling, batch_size))


def run_scan(
    source: str,
    rule_set: str | None,
    sampling: Sampling,
    batch_size: int = BATCH_SIZE,
    include: Sequence[str] = (),
    exclude: Sequence[str] = (),
    password: str | None = None,
) -> ScanResult:
    """Scan `source` with `sampling`; every finding records the strategy it rests on."""
    compiled = compile_rules(load_rule_set_file(rule_set)) if rule_set else builtin_compiled()
    connector = open_source(source, password=password)
    try:
        result = scan_tables(compiled, _tables(connector, sampling, batch_size, include, exclude))
    finally:
        connector.close()
    for finding in result.findings:
        finding.sampling_strategy = sampling.effective
    return result


def sampling_from_args(args: argparse.Namespace) -> Sampling:
    if args.sample_size < 0:
        raise ScanRulesError("--sample-size must be 0 (everything) or positive")
    strategy = args.sample.upper()
    if strategy == "PERCENT" and not 0 < args.sample_percent <= 100:
        raise ScanRulesError("--sample percent needs --sample-percent in (0, 100]")
    if args.time_budget is not None and args.time_budget <= 0:
        raise ScanRulesError("--time-budget must be positive")
    return Sampling(
        strategy=strategy,
        rows=args.sample_size,
        percent=args.sample_percent if strategy == "PERCENT" else 0.0,
        seed=args.seed,
        time_budget_s=args.time_budget,
    )


def _print_table(result: ScanResult) -> None:
    from rich.console import Console
    from rich.table import Table as RichTable

    table = RichTable(title=f"{len(result.findings)} findings")
    for header in ("table", "column", "classification", "confidence", "match ratio", "sampled", "evidence"):
        table.add_column(header)
    for f in result.findings:
        table.add_row(
            f.table,
            f.column,
            f.classification,
            f"{f.confidence:.2f}",
            f"{f.match_ratio:.1%}",
            f"{f.sampled} ({f.sampling_strategy.lower()})",
            ", ".join(f.evidence),
        )
    console = Console(width=None if sys.stdout.isatty() else 200)
    console.print(table)
    s = result.stats.to_dict()
    console.print(f"{s['tables']} tables, {s['columns']} columns, {s['values']} values in {s['seconds']} s")


def _cmd_scan(args: argparse.Namespace) -> int:
    sampling = sampling_from_args(args)
    password = os.environ.get(PASSWORD_ENV) or None
    result = run_scan(
        args.source, args.rule_set, sampling, include=args.include, exclude=args.exclude, password=password
    )
    if args.format == "json":
        doc = {
            "findings": [f.to_dict() for f in result.findings],
            "stats": result.stats.to_dict(),
            "sampling": {
                "strategy": sampling.effective,
                "rows": sampling.rows,
                "percent": sampling.percent,
                "seed": sampling.seed,
                "time_budget_s": sampling.time_budget_s,
            },
        }
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
    settings = Settings(host=args.host, port=args.port, metrics_port=args.metrics_port, insecure=args.insecure)
    settings.auth_enabled = not args.no_auth
    for name in ("jwt_public_key_file", "jwt_jwks_file", "jwt_issuer", "jwt_audience"):
        if getattr(args, name):
            setattr(settings, name, getattr(args, name))
    if args.database_url:
        settings.database_url = args.database_url
    if args.secret_key_file:
        settings.secret_key_file = args.secret_key_file
    for name in ("tls_cert", "tls_key", "tls_client_ca"):
        if getattr(args, name):
            setattr(settings, name, getattr(args, name))
    if args.executor:
        settings.executor = args.executor
    if args.dask_address:
        settings.dask_address = args.dask_address
    if settings.executor == "dask" and not settings.dask_address:
        raise ScanRulesError("--executor dask needs --dask-address tcp://HOST:PORT (or SCANRULES_DASK_ADDRESS)")
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
    scan.add_argument(
        "source",
        help="postgresql://user@host:port/db, mysql://… or mariadb://…, sqlite:///path.db, "
        f"a CSV/JSONL/Parquet file, or a folder of them (a password may come from ${PASSWORD_ENV})",
    )
    scan.add_argument("--rule-set", help="YAML rule set file (default: the built-in library)")
    scan.add_argument(
        "--sample",
        choices=("head", "random", "percent", "full"),
        default=DEFAULT_SAMPLE,
        help=f"which rows to read per table (default {DEFAULT_SAMPLE}; see docs/data-sources.md)",
    )
    scan.add_argument(
        "--sample-size",
        type=int,
        default=DEFAULT_SAMPLE_SIZE,
        help=f"rows read per table with head/random (default {DEFAULT_SAMPLE_SIZE}; 0 reads everything)",
    )
    scan.add_argument("--sample-percent", type=float, default=0.0, help="percent of rows with --sample percent")
    scan.add_argument("--seed", type=int, default=0, help="seed of random and percent sampling (default 0)")
    scan.add_argument("--time-budget", type=float, default=None, help="stop reading a table after this many seconds")
    scan.add_argument("--include", action="append", default=[], help="glob on schema.table.column to scan (repeatable)")
    scan.add_argument("--exclude", action="append", default=[], help="glob on schema.table.column to skip (repeatable)")
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
    srv.add_argument(
        "--secret-key-file",
        help="Fernet key file for data source passwords (env SCANRULES_SECRET_KEY_FILE; "
        "default scanrules.key next to an embedded SQLite database)",
    )
    srv.add_argument("--metrics-port", type=int, default=0, help="Prometheus /metrics port (default off)")
    srv.add_argument("--log-level", default="info", choices=("debug", "info", "warning", "error"))
    srv.add_argument("--tls-cert", metavar="PEM", help="server certificate chain (env SCANRULES_TLS_CERT)")
    srv.add_argument("--tls-key", metavar="PEM", help="its unencrypted private key (env SCANRULES_TLS_KEY)")
    srv.add_argument(
        "--tls-client-ca",
        metavar="PEM",
        help="require client certificates signed by this CA: mutual TLS (env SCANRULES_TLS_CLIENT_CA)",
    )
    srv.add_argument(
        "--insecure",
        action="store_true",
        help="allow plaintext on a non-loopback --host (refused by default)",
    )
    srv.add_argument(
        "--no-auth",
        action="store_true",
        help="serve WITHOUT authentication, every caller an admin (local experiments only; loopback unless --insecure)",
    )
    srv.add_argument(
        "--executor",
        choices=("local", "dask"),
        help="where jobs that name no executor run (env SCANRULES_EXECUTOR; default local: a process pool here)",
    )
    srv.add_argument(
        "--dask-address",
        metavar="tcp://HOST:PORT",
        help="Dask scheduler for --executor dask (env SCANRULES_DASK_ADDRESS)",
    )
    srv.add_argument("--jwt-public-key", dest="jwt_public_key_file", metavar="PEM", help="RS256/ES256 JWT public key")
    srv.add_argument("--jwt-jwks", dest="jwt_jwks_file", metavar="JSON", help="JWKS file of RS256/ES256 JWT keys")
    srv.add_argument("--jwt-issuer", help="required JWT issuer (env SCANRULES_JWT_ISSUER)")
    srv.add_argument("--jwt-audience", help="required JWT audience (env SCANRULES_JWT_AUDIENCE; default scanrules)")
    srv.set_defaults(func=_cmd_serve)
    add_token_commands(sub)
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
