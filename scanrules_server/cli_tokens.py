"""`scanrules token create | list | revoke`: API keys, straight in the service database.

`create` prints the new key alone on stdout (one line: `KEY=$(scanrules token create --role viewer)` works),
and what it made on stderr; the key is never stored, only its SHA-256 hash. Every operation is audited
with the principal `cli:<os user>`.
"""

from __future__ import annotations

import argparse
import asyncio
import getpass
import json
import sys
from collections.abc import Awaitable, Callable
from datetime import UTC, datetime
from typing import Any, TypeVar

T = TypeVar("T")

ROLE_NAMES = ("viewer", "editor", "operator", "admin")  # api.permissions.ROLES, without importing grpc here


def _creator() -> str:
    try:
        return f"cli:{getpass.getuser()}"
    except Exception:  # no user name (e.g. a container without a passwd entry)
        return "cli:unknown"


async def _with_database(url: str | None, action: Callable[[Any], Awaitable[T]]) -> T:
    from .api.context import Database
    from .persistence import migrate
    from .persistence.db import make_engine, make_session_factory
    from .settings import Settings

    settings = Settings()
    if url:
        settings.database_url = url
    if settings.is_sqlite:
        await migrate.upgrade(settings.database_url)  # as `serve` does on its embedded default
    current = await migrate.current_revision(settings.database_url)
    if current not in migrate.heads():
        raise RuntimeError(f"database schema is at {current or 'nothing'}: run `scanrules migrate` first")
    engine = make_engine(settings.database_url)
    try:
        return await action(Database(engine, make_session_factory(engine)))
    finally:
        await engine.dispose()


def _time(value: datetime | None) -> str:
    return value.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ") if value else ""


def _cmd_create(args: argparse.Namespace) -> int:
    from .api.tokens import create_token, parse_duration

    try:
        expires = parse_duration(args.expires) if args.expires else None
    except ValueError as exc:
        print(f"scanrules: --expires: {exc}", file=sys.stderr)
        return 2

    async def run(db: Any) -> Any:
        return await create_token(db, args.role, description=args.description, expires=expires, creator=_creator())

    record, key = asyncio.run(_with_database(args.database_url, run))
    until = f", expires {_time(record.expire_time)}" if record.expire_time else ", never expires"
    print(f"created API key {record.key_id} (role {record.role}{until})", file=sys.stderr)
    print("it is shown only this once and stored only as a hash; keep it secret:", file=sys.stderr)
    print(key, flush=True)
    return 0


def _cmd_list(args: argparse.Namespace) -> int:
    from .api.tokens import list_tokens

    keys = asyncio.run(_with_database(args.database_url, list_tokens))
    now = datetime.now(UTC)
    rows = [
        {
            "key_id": k.key_id,
            "role": k.role,
            "state": k.state(now),
            "description": k.description,
            "creator": k.creator,
            "create_time": _time(k.create_time),
            "expire_time": _time(k.expire_time),
            "revoke_time": _time(k.revoke_time),
            "last_used_time": _time(k.last_used_time),
        }
        for k in keys
    ]
    if args.format == "json":
        json.dump(rows, sys.stdout)
        sys.stdout.write("\n")
        return 0
    columns = ("key_id", "role", "state", "create_time", "expire_time", "last_used_time", "description")
    widths = {c: max([len(c), *(len(r[c]) for r in rows)]) for c in columns}
    print("  ".join(c.upper().ljust(widths[c]) for c in columns).rstrip())
    for r in rows:
        print("  ".join(r[c].ljust(widths[c]) for c in columns).rstrip())
    return 0


def _cmd_revoke(args: argparse.Namespace) -> int:
    from .api.tokens import revoke_token
    from .domain.errors import NotFoundError

    async def run(db: Any) -> Any:
        return await revoke_token(db, args.key_id, revoker=_creator())

    try:
        record = asyncio.run(_with_database(args.database_url, run))
    except NotFoundError:
        print(f"scanrules: no API key {args.key_id!r} (see `scanrules token list`)", file=sys.stderr)
        return 2
    print(f"revoked API key {record.key_id} at {_time(record.revoke_time)}")
    return 0


def _guarded(command: Callable[[argparse.Namespace], int]) -> Callable[[argparse.Namespace], int]:
    def run(args: argparse.Namespace) -> int:
        try:
            return command(args)
        except (RuntimeError, OSError) as exc:
            print(f"scanrules: {exc}".splitlines()[0], file=sys.stderr)
            return 2

    return run


def add_token_commands(sub: Any) -> None:
    """Add `token create | list | revoke` to the `scanrules` subcommands."""
    token = sub.add_parser("token", help="manage API keys (in the service database)")
    commands = token.add_subparsers(dest="token_command", required=True)
    db_help = "SQLAlchemy URL of the service database (env SCANRULES_DATABASE_URL; default ./scanrules.db)"

    create = commands.add_parser("create", help="create an API key; prints it once, alone, on stdout")
    create.add_argument("--role", required=True, choices=ROLE_NAMES)
    create.add_argument("--expires", metavar="DURATION", help="lifetime, e.g. 12h, 30d or 2w (default: never)")
    create.add_argument("--description", default="", help="what the key is for")
    create.add_argument("--database-url", help=db_help)
    create.set_defaults(func=_guarded(_cmd_create))

    listing = commands.add_parser("list", help="list API keys (ids, roles, states; never the keys)")
    listing.add_argument("--format", choices=("table", "json"), default="table")
    listing.add_argument("--database-url", help=db_help)
    listing.set_defaults(func=_guarded(_cmd_list))

    revoke = commands.add_parser("revoke", help="revoke an API key by its id")
    revoke.add_argument("key_id")
    revoke.add_argument("--database-url", help=db_help)
    revoke.set_defaults(func=_guarded(_cmd_revoke))
