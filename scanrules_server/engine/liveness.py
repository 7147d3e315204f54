"""Which parts of a rule's match plan can hold for a given column.

Column predicates inside a match clause (`column.name ~ /passw/`) are constant over
a column. Folding them first tells which rules are dead for the column and which
patterns its live rules still need: patterns used only behind a column gate (the
catch-all `^\\S.*$` of PASSWORD) then stay out of the scan of every other column,
which is where most matcher callbacks came from.
"""

from __future__ import annotations

from dataclasses import dataclass

from .column import ColumnInfo
from .columnpreds import column_predicate
from .plan import PAnd, PColumn, PNode, PNot, POr, PRegex

#: A column with no name, comment or type: what a column looks like to a rule that
#: has no reason to single it out.
GENERIC_COLUMN = ColumnInfo(table="", name="")


@dataclass(frozen=True)
class Folded:
    """The plan's truth for the column (None: depends on the values) and the patterns it needs."""

    value: bool | None
    pids: frozenset[int]


_DEAD = Folded(False, frozenset())
_UNKNOWN = Folded(None, frozenset())


def fold(node: PNode, info: ColumnInfo) -> Folded:
    if isinstance(node, PRegex):
        return Folded(None, frozenset((node.pid,)))
    if isinstance(node, PColumn):
        return Folded(column_predicate(node.atom, info), frozenset())
    if isinstance(node, PAnd):
        parts = [fold(item, info) for item in node.items]
        if any(p.value is False for p in parts):
            return _DEAD
        value = True if all(p.value for p in parts) else None
        return Folded(value, frozenset().union(*(p.pids for p in parts)))
    if isinstance(node, POr):
        live = [p for p in (fold(item, info) for item in node.items) if p.value is not False]
        if not live:
            return _DEAD
        value = True if any(p.value for p in live) else None
        return Folded(value, frozenset().union(*(p.pids for p in live)))
    if isinstance(node, PNot):
        inner = fold(node.item, info)
        if inner.value is None:
            return inner
        return Folded(not inner.value, frozenset())
    return _UNKNOWN
