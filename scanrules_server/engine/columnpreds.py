"""Column predicates that depend only on the column's metadata."""

from __future__ import annotations

from ..domain import ast
from .column import ColumnInfo
from .regexes import compiled_re2


def _field(info: ColumnInfo, name: str) -> str:
    return {"name": info.name, "comment": info.comment, "type": info.type}[name]


def column_predicate(atom: ast.Node, info: ColumnInfo) -> bool:
    """Truth of a metadata predicate (column.name ~ /.../, column.type in [...])."""
    if isinstance(atom, ast.ColumnRegex):
        text = _field(info, atom.field)
        return bool(text) and compiled_re2(atom.regex.source, atom.regex.caseless).search(text) is not None
    if isinstance(atom, ast.ColumnIn):
        text = _field(info, atom.field).strip().casefold()
        return text in {v.casefold() for v in atom.values}
    raise TypeError(f"{type(atom).__name__} is not a metadata predicate")
