"""A column's metadata and the statistics accumulated over its sampled batches."""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

_KMV_SIZE = 4096  # distinct-count sketch size: exact below it, ~1.5% error above


@dataclass(frozen=True)
class ColumnInfo:
    table: str
    name: str
    type: str = ""
    comment: str = ""
    #: (table, column) this column's foreign key points at, if any
    references: tuple[str, str] | None = None


@dataclass
class ColumnProfile:
    """Statistics over every value seen; memory stays bounded whatever the row count."""

    sampled: int = 0
    non_null: int = 0
    length_sum: int = 0
    min_length: int = 0
    max_length: int = 0
    min_value: float | None = None
    max_value: float | None = None
    _kmv: np.ndarray = field(default_factory=lambda: np.zeros(0, dtype=np.uint64))
    _saturated: bool = False

    def add(self, n_rows: int, values: list[str], want_numbers: bool = False) -> np.ndarray:
        """Account for one batch of `n_rows` rows whose non-null values are `values`.

        Returns the values' lengths, which the evaluator reuses.
        """
        self.sampled += n_rows
        lengths = np.fromiter(map(len, values), dtype=np.int64, count=len(values))
        if len(values):
            first = self.non_null == 0
            self.non_null += len(values)
            self.length_sum += int(lengths.sum())
            lo, hi = int(lengths.min()), int(lengths.max())
            self.min_length = lo if first else min(self.min_length, lo)
            self.max_length = hi if first else max(self.max_length, hi)
            self._add_distinct(values)
            if want_numbers:
                self._add_numbers(values)
        return lengths

    def _add_distinct(self, values: list[str]) -> None:
        hashes = np.fromiter(map(hash, values), dtype=np.int64, count=len(values)).view(np.uint64)
        merged = np.concatenate((self._kmv, hashes))
        if len(merged) > 4 * _KMV_SIZE:
            merged = np.partition(merged, _KMV_SIZE)[: _KMV_SIZE + 1]
        merged = np.sort(merged)
        keep = np.ones(len(merged), dtype=bool)
        keep[1:] = merged[1:] != merged[:-1]
        merged = merged[keep]
        if len(merged) > _KMV_SIZE:
            self._saturated = True
            merged = merged[:_KMV_SIZE]
        self._kmv = merged

    def _add_numbers(self, values: list[str]) -> None:
        numbers = []
        for v in values:
            try:
                numbers.append(float(v))
            except ValueError:
                continue
        if numbers:
            lo, hi = min(numbers), max(numbers)
            self.min_value = lo if self.min_value is None else min(self.min_value, lo)
            self.max_value = hi if self.max_value is None else max(self.max_value, hi)

    @property
    def distinct(self) -> int:
        if not self._saturated:
            return len(self._kmv)
        # K-minimum-values estimate: (k - 1) / (k-th smallest hash as a fraction of 2**64)
        kth = float(self._kmv[-1]) / 2.0**64
        return int(min(self.non_null, (len(self._kmv) - 1) / kth)) if kth > 0 else self.non_null

    @property
    def distinct_ratio(self) -> float:
        return self.distinct / self.non_null if self.non_null else 0.0

    @property
    def null_ratio(self) -> float:
        return 1 - self.non_null / self.sampled if self.sampled else 0.0

    @property
    def avg_length(self) -> float:
        return self.length_sum / self.non_null if self.non_null else 0.0
