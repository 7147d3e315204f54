"""Include/exclude filters: case-sensitive globs (fnmatch) on `schema.table.column`.

For sources without schemas (files) the key is `table.column`. An empty `include` keeps
everything; `exclude` wins over `include`. `*` also matches dots, so `public.*` selects every
column of every table in schema `public`, and `*.password` drops every column named `password`.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import replace
from fnmatch import fnmatchcase

from .base import TableSchema


def selected(schema_table_column: str, include: Sequence[str], exclude: Sequence[str]) -> bool:
    """Whether a column with this `schema.table.column` key passes the filters."""
    if include and not any(fnmatchcase(schema_table_column, glob) for glob in include):
        return False
    return not any(fnmatchcase(schema_table_column, glob) for glob in exclude)


def column_key(table: TableSchema, column: str) -> str:
    """The key the globs are matched against."""
    return f"{table.qualified}.{column}"


def filter_tables(tables: Sequence[TableSchema], include: Sequence[str], exclude: Sequence[str]) -> list[TableSchema]:
    """The tables with only their selected columns; tables left without a column are dropped."""
    if not include and not exclude:
        return list(tables)
    out = []
    for table in tables:
        columns = tuple(c for c in table.columns if selected(column_key(table, c.name), include, exclude))
        if columns:
            out.append(table if len(columns) == len(table.columns) else replace(table, columns=columns))
    return out
