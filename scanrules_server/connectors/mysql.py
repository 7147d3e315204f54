"""MySQL and MariaDB through SQLAlchemy (`mysql+pymysql`).

* Discovery reads `information_schema` (TABLES, COLUMNS, KEY_COLUMN_USAGE) with bound parameters.
  The URL's database is the one schema read; without one, every non-system database is.
* Each read runs in `START TRANSACTION READ ONLY` after a session statement timeout
  (`max_statement_time` on MariaDB, `max_execution_time` on MySQL), always rolled back.
* Rows stream through an unbuffered server-side cursor (PyMySQL `SSCursor`); a read stopped early
  drops the connection rather than draining the rest of the result.
* RANDOM: integer-key ranges, or a reservoir over a bounded scan (see `sql.py`); PERCENT is
  `WHERE RAND(seed) < p` on the server.
* `fingerprint`: `COUNT(*)` and `CHECKSUM TABLE` (a checksum of every row's every column, computed
  on the server by reading the table: one pass, no rows sent).
"""

from __future__ import annotations

import math
import time
from typing import Any

import sqlalchemy as sa
from sqlalchemy.engine import make_url
from sqlalchemy.exc import ArgumentError, SQLAlchemyError
from sqlalchemy.sql.elements import ColumnElement

from ..domain.errors import SourceError
from ..engine.column import ColumnInfo
from .base import (
    ConnectionCheck,
    ForeignKey,
    SourceAuthenticationError,
    SourceNotFoundError,
    SourceUnreachableError,
    TableSchema,
    qualified_name,
    redact,
)
from .sql import SqlAlchemyConnector

SYSTEM_SCHEMAS = ("information_schema", "mysql", "performance_schema", "sys")
INTEGER_TYPES = ("tinyint", "smallint", "mediumint", "int", "integer", "bigint")

_AUTH_CODES = {1044, 1045, 1142, 1227, 1251, 1698}
_UNKNOWN_DATABASE = 1049

_TABLES = sa.text(
    "SELECT TABLE_SCHEMA, TABLE_NAME, TABLE_ROWS FROM information_schema.TABLES "
    "WHERE TABLE_SCHEMA IN :schemas AND TABLE_TYPE IN ('BASE TABLE', 'SYSTEM VERSIONED') "
    "ORDER BY TABLE_SCHEMA, TABLE_NAME"
).bindparams(sa.bindparam("schemas", expanding=True))
_COLUMNS = sa.text(
    "SELECT TABLE_SCHEMA, TABLE_NAME, COLUMN_NAME, COLUMN_TYPE, COLUMN_COMMENT FROM information_schema.COLUMNS "
    "WHERE TABLE_SCHEMA IN :schemas ORDER BY TABLE_SCHEMA, TABLE_NAME, ORDINAL_POSITION"
).bindparams(sa.bindparam("schemas", expanding=True))
_KEYS = sa.text(
    "SELECT TABLE_SCHEMA, TABLE_NAME, CONSTRAINT_NAME, COLUMN_NAME, REFERENCED_TABLE_SCHEMA, "
    "REFERENCED_TABLE_NAME, REFERENCED_COLUMN_NAME FROM information_schema.KEY_COLUMN_USAGE "
    "WHERE TABLE_SCHEMA IN :schemas AND (CONSTRAINT_NAME = 'PRIMARY' OR REFERENCED_TABLE_NAME IS NOT NULL) "
    "ORDER BY TABLE_SCHEMA, TABLE_NAME, CONSTRAINT_NAME, ORDINAL_POSITION"
).bindparams(sa.bindparam("schemas", expanding=True))
_SCHEMAS = sa.text("SELECT SCHEMA_NAME FROM information_schema.SCHEMATA ORDER BY SCHEMA_NAME")


def _text(value: object) -> str:
    if isinstance(value, (bytes, bytearray)):
        return bytes(value).decode("utf-8", errors="replace")
    return "" if value is None else str(value)


class MySqlConnector(SqlAlchemyConnector):
    kind = "mysql"

    def __init__(self, uri: str, *, password: str | None = None, statement_timeout_s: float = 30.0) -> None:
        try:
            url = make_url(uri)
        except (ArgumentError, ValueError):  # ValueError: a port that is not a number, an unclosed [IPv6]
            raise SourceError("not a valid mysql:// URL") from None
        secret = password if password is not None else url.password
        self._secret = str(secret) if secret is not None else None
        self.statement_timeout_s = statement_timeout_s
        self.database = url.database or None
        self.where = f"{url.get_backend_name()}://{url.username + '@' if url.username else ''}{url.host or ''}" + (
            f":{url.port}" if url.port else ""
        )
        self.where += f"/{url.database}" if url.database else ""
        query: dict[str, Any] = dict(url.query)
        query.setdefault("charset", "utf8mb4")
        target = sa.URL.create(
            "mysql+pymysql",
            username=url.username,
            password=self._secret,
            host=url.host or "127.0.0.1",
            port=url.port,
            database=url.database,
            query=query,
        )
        timeout = max(1, math.ceil(statement_timeout_s))
        self.engine = sa.create_engine(
            target,
            connect_args={"connect_timeout": timeout, "read_timeout": timeout + 30, "write_timeout": timeout + 30},
            pool_size=1,
            max_overflow=4,
        )
        self.mariadb = False
        try:
            with self.engine.connect() as conn:
                version = str(conn.execute(sa.text("SELECT VERSION()")).scalar_one())
                conn.rollback()
        except SQLAlchemyError as exc:
            self.engine.dispose()
            raise self._connect_error(exc) from None
        self.version = version
        self.mariadb = "mariadb" in version.lower()

    def _connect_error(self, exc: SQLAlchemyError) -> SourceError:
        orig = getattr(exc, "orig", None)
        args: tuple[object, ...] = tuple(getattr(orig, "args", ()))
        code = args[0] if args and isinstance(args[0], int) else 0
        detail = " ".join(str(args[1] if len(args) > 1 else orig or exc).split())
        message = redact(f"cannot connect to {self.where}: {detail}", self._secret)
        if code in _AUTH_CODES:
            return SourceAuthenticationError(message)
        if code == _UNKNOWN_DATABASE:
            return SourceNotFoundError(message)
        if code >= 2000 or code == 0:
            return SourceUnreachableError(message)
        return SourceError(message)

    # -- session -----------------------------------------------------------------------------

    def _begin_read_only(self, conn: sa.Connection) -> None:
        if self.mariadb:
            conn.execute(sa.text("SET SESSION max_statement_time = :s"), {"s": float(self.statement_timeout_s)})
        else:
            ms = max(1, int(self.statement_timeout_s * 1000))
            conn.execute(sa.text("SET SESSION max_execution_time = :ms"), {"ms": ms})
        conn.execute(sa.text("START TRANSACTION READ ONLY"))

    def _abandon(self, conn: sa.Connection) -> None:
        # PyMySQL would read the rest of an unbuffered result to its end (on close, and again when
        # the result is collected): mark it finished, then drop the connection instead.
        result = getattr(conn.connection.dbapi_connection, "_result", None)
        if result is not None and getattr(result, "unbuffered_active", False):
            result.unbuffered_active = False
        conn.invalidate()

    def percent_filter(self, seed: int, fraction: float) -> ColumnElement[bool] | None:
        return sa.func.rand(seed % 4_294_967_296) < fraction

    # -- interface ---------------------------------------------------------------------------

    def _schemas(self, conn: sa.Connection) -> list[str]:
        if self.database:
            return [self.database]
        return [s for (s,) in conn.execute(_SCHEMAS) if str(s).lower() not in SYSTEM_SCHEMAS]

    def check(self) -> ConnectionCheck:
        started = time.monotonic()
        try:
            with self.engine.connect() as conn:
                conn.execute(sa.text("SELECT 1")).scalar_one()
                conn.rollback()
        except SQLAlchemyError as exc:
            return ConnectionCheck(False, False, False, time.monotonic() - started, str(self._connect_error(exc)))
        latency = time.monotonic() - started
        try:
            with self.read_transaction() as conn:
                user = conn.execute(sa.text("SELECT CURRENT_USER()")).scalar_one()
                schemas = self._schemas(conn)
                count = conn.execute(
                    sa.text("SELECT COUNT(*) FROM information_schema.TABLES WHERE TABLE_SCHEMA IN :schemas").bindparams(
                        sa.bindparam("schemas", expanding=True)
                    ),
                    {"schemas": schemas or [""]},
                ).scalar_one()
        except SourceError as exc:
            return ConnectionCheck(True, True, False, latency, str(exc))
        product = "MariaDB" if self.mariadb else "MySQL"
        message = (
            f"connected to {product} {self.version} as {_text(user)}; read-only transactions; {count} readable tables"
        )
        return ConnectionCheck(True, True, True, latency, message)

    def discover(self) -> list[TableSchema]:
        with self.read_transaction() as conn:
            schemas = self._schemas(conn)
            if not schemas:
                return []
            params = {"schemas": schemas}
            tables = [(_text(s), _text(t), rows) for s, t, rows in conn.execute(_TABLES, params)]
            columns: dict[tuple[str, str], list[tuple[str, str, str]]] = {}
            for s, t, name, type_, comment in conn.execute(_COLUMNS, params):
                columns.setdefault((_text(s), _text(t)), []).append((_text(name), _text(type_), _text(comment)))
            pks: dict[tuple[str, str], list[str]] = {}
            fk_parts: dict[tuple[str, str, str], list[tuple[str, str, str, str]]] = {}
            for s, t, constraint, column, ref_schema, ref_table, ref_column in conn.execute(_KEYS, params):
                key = (_text(s), _text(t))
                if _text(constraint) == "PRIMARY" and ref_table is None:
                    pks.setdefault(key, []).append(_text(column))
                else:
                    fk_parts.setdefault((*key, _text(constraint)), []).append(
                        (_text(column), _text(ref_schema), _text(ref_table), _text(ref_column))
                    )
        fks: dict[tuple[str, str], list[ForeignKey]] = {}
        for (s, t, constraint), parts in fk_parts.items():
            fks.setdefault((s, t), []).append(
                ForeignKey(tuple(p[0] for p in parts), parts[0][1], parts[0][2], tuple(p[3] for p in parts), constraint)
            )
        out = []
        for schema, name, rows in tables:
            qualified = qualified_name(schema, name)
            references: dict[str, tuple[str, str]] = {}
            for fk in fks.get((schema, name), []):
                for local, remote in zip(fk.columns, fk.referenced_columns, strict=False):
                    references.setdefault(local, (fk.referenced_qualified, remote))
            infos = tuple(
                ColumnInfo(qualified, col, type_, comment, references.get(col))
                for col, type_, comment in columns.get((schema, name), [])
            )
            estimate = int(rows) if rows is not None else None
            out.append(
                TableSchema(
                    schema,
                    name,
                    infos,
                    estimate,
                    tuple(pks.get((schema, name), [])),
                    tuple(fks.get((schema, name), [])),
                )
            )
        return out

    def fingerprint(self, table: TableSchema) -> str:
        # CHECKSUM TABLE is a statement, not a query: the dialect quotes both names (and doubles a `%`,
        # which the driver's formatting undoes). MariaDB's max_statement_time bounds it; MySQL's
        # max_execution_time only bounds SELECTs.
        quote = self.engine.dialect.identifier_preparer.quote_identifier
        target = f"{quote(table.schema)}.{quote(table.name)}" if table.schema else quote(table.name)
        with self.read_transaction() as conn:
            rows = self.row_count(conn, table)
            result = conn.exec_driver_sql(f"CHECKSUM TABLE {target}").one()
        if result[1] is None:
            raise SourceError(f"{self.where}: no checksum for table {table.qualified!r} (dropped?)")
        return f"rows={rows};checksum={int(result[1]):x}"

    def integer_key(self, conn: sa.Connection, table: TableSchema) -> str | None:
        row = conn.execute(
            sa.text(
                "SELECT k.COLUMN_NAME, c.DATA_TYPE FROM information_schema.KEY_COLUMN_USAGE k "
                "JOIN information_schema.COLUMNS c ON c.TABLE_SCHEMA = k.TABLE_SCHEMA "
                "AND c.TABLE_NAME = k.TABLE_NAME AND c.COLUMN_NAME = k.COLUMN_NAME "
                "WHERE k.TABLE_SCHEMA = :schema AND k.TABLE_NAME = :table AND k.CONSTRAINT_NAME = 'PRIMARY'"
            ),
            {"schema": table.schema, "table": table.name},
        ).all()
        if len(row) == 1 and _text(row[0][1]).lower() in INTEGER_TYPES:
            return _text(row[0][0])
        return None
