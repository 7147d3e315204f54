"""Sampling helpers shared by the connectors: row tuples to column batches, reservoirs, budgets."""

from __future__ import annotations

import random
import time
from collections.abc import Iterable, Iterator, Sequence

from .base import Batch, to_text

Row = Sequence[object]


def column_batch(rows: Sequence[Row], names: Sequence[str], offset: int = 0) -> Batch:
    """Rows (tuples) to one batch; values are taken from position `offset` on, as text."""
    return {name: [to_text(row[offset + i]) for row in rows] for i, name in enumerate(names)}


def rebatch(
    chunks: Iterable[Sequence[Row]], names: Sequence[str], batch_size: int, deadline: float, offset: int = 0
) -> Iterator[Batch]:
    """Row chunks of any size to batches of at most `batch_size` rows; stops after `deadline`."""
    pending: list[Row] = []
    for chunk in chunks:
        pending.extend(chunk)
        while len(pending) >= batch_size:
            yield column_batch(pending[:batch_size], names, offset)
            del pending[:batch_size]
        if time.monotonic() > deadline:
            break
    if pending:
        yield column_batch(pending, names, offset)


class Reservoir:
    """A uniform sample of `size` rows from a stream of unknown length (Vitter's algorithm R).

    Memory is the sample, whatever the stream's length; `rows()` returns it in random order.
    """

    def __init__(self, size: int, rng: random.Random) -> None:
        self.size = size
        self.rng = rng
        self.seen = 0
        self.items: list[Row] = []

    def add(self, rows: Iterable[Row]) -> None:
        for row in rows:
            self.seen += 1
            if len(self.items) < self.size:
                self.items.append(row)
            else:
                slot = self.rng.randrange(self.seen)
                if slot < self.size:
                    self.items[slot] = row

    def rows(self) -> list[Row]:
        out = list(self.items)
        self.rng.shuffle(out)
        return out


def bernoulli(rows: Iterable[Row], probability: float, rng: random.Random) -> list[Row]:
    """Each row kept with `probability`."""
    return [row for row in rows if rng.random() < probability]
