"""Per-value detection: which classifications accept a value alone, with no column context."""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

from .column import ColumnInfo
from .compiler import CompiledRuleSet
from .evaluate import ColumnBatch, ColumnState
from .liveness import GENERIC_COLUMN


def detect(compiled: CompiledRuleSet, values: Sequence[str], column: ColumnInfo | None = None) -> list[list[str]]:
    """For each value, the classifications whose match clause (validators included) accepts it.

    With no `column`, column predicates inside match clauses are false: the value stands alone.
    """
    out: list[list[str]] = [[] for _ in values]
    present = [i for i, v in enumerate(values) if v]
    texts = [values[i] for i in present]
    if not texts:
        return out
    info = column or GENERIC_COLUMN
    live, gated = compiled.column_plan(info)
    hits = compiled.matcher.scan(texts, gated=gated)
    lengths = np.fromiter(map(len, texts), dtype=np.int64, count=len(texts))
    batch = ColumnBatch(texts, hits, lengths, ColumnState(info))
    for rule in (compiled.rules[i] for i in live):
        assert rule.plan is not None
        shape = batch.shape_rows(rule)
        valid = shape[batch.evaluate(rule.plan, shape, full=True)] if len(shape) else shape
        for row in valid:
            names = out[present[int(row)]]
            if rule.spec.classification not in names:
                names.append(rule.spec.classification)
    return out
