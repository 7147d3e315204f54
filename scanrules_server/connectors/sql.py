"""SQL databases through SQLAlchemy: reflection for discovery, streamed selects for reading.

Identifiers always go through SQLAlchemy's quoting; nothing is pasted into SQL text.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import sqlalchemy as sa
from sqlalchemy.engine import make_url
from sqlalchemy.exc import ArgumentError, NoSuchModuleError, SQLAlchemyError

from ..domain.errors import SourceError
from ..engine.column import ColumnInfo
from .base import Batch, TableSchema


class SqlConnector:
    def __init__(self, uri: str) -> None:
        try:
            url = make_url(uri)
        except ArgumentError as exc:
            raise SourceError(f"not a database URL: {uri!r}") from exc
        if url.get_backend_name() == "sqlite":
            database = url.database or ""
            if not database or database == ":memory:" or not Path(database).is_file():
                raise SourceError(f"SQLite database file {database!r} does not exist")
            # Read-only URI so that scanning can never create or change the file.
            url = url.set(database=f"file:{Path(database).resolve()}?mode=ro", query={"uri": "true"})
        try:
            self.engine = sa.create_engine(url)
            with self.engine.connect():
                pass
        except (SQLAlchemyError, NoSuchModuleError) as exc:
            raise SourceError(
                f"cannot open {url.render_as_string(hide_password=True)}: {exc.__class__.__name__}"
            ) from exc
        self._tables: dict[str, sa.Table] = {}

    def discover(self) -> list[TableSchema]:
        try:
            inspector = sa.inspect(self.engine)
            out = []
            for name in inspector.get_table_names():
                fks: dict[str, tuple[str, str]] = {}
                for fk in inspector.get_foreign_keys(name):
                    for local, remote in zip(fk["constrained_columns"], fk["referred_columns"], strict=False):
                        fks[local] = (fk["referred_table"], remote)
                columns = tuple(
                    ColumnInfo(
                        table=name,
                        name=c["name"],
                        type=str(c["type"]),
                        comment=c.get("comment") or "",
                        references=fks.get(c["name"]),
                    )
                    for c in inspector.get_columns(name)
                )
                pk = tuple(inspector.get_pk_constraint(name).get("constrained_columns") or ())
                out.append(TableSchema(name, columns, None, pk))
            return out
        except SQLAlchemyError as exc:
            raise SourceError(f"cannot read the schema: {exc.__class__.__name__}") from exc

    def batches(self, table: TableSchema, limit: int | None, batch_size: int) -> Iterator[Batch]:
        meta = sa.MetaData()
        t = sa.Table(table.name, meta, *(sa.Column(c.name) for c in table.columns))
        query = sa.select(*t.columns)
        if limit:
            query = query.limit(limit)
        names = [c.name for c in table.columns]
        with self.engine.connect() as conn:
            result = conn.execution_options(stream_results=True, yield_per=batch_size).execute(query)
            for rows in result.partitions(batch_size):
                yield {name: [row[i] for row in rows] for i, name in enumerate(names)}

    def close(self) -> None:
        self.engine.dispose()
