"""A column's metadata and the statistics accumulated over its sampled batches."""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from typing import Any

import numpy as np

_KMV_SIZE = 4096  # distinct-count sketch size: exact below it, ~1.5% error above
_U64 = (1 << 64) - 1


def _float_to_json(value: float | None) -> float | str | None:
    """JSON has no inf/nan (and PostgreSQL's jsonb rejects them): those travel as strings."""
    if value is None or math.isfinite(value):
        return value
    return repr(value)  # 'inf', '-inf' or 'nan'


def _float_from_json(value: object) -> float | None:
    return None if value is None else float(value)  # type: ignore[arg-type]


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
        # Sort everything, then drop duplicates, then truncate: truncating first (np.partition) kept
        # duplicates among the K+1 smallest and under-counted low-cardinality columns in big batches.
        merged = np.sort(np.concatenate((self._kmv, hashes)))
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

    def merge(self, other: ColumnProfile) -> None:
        """Fold in the profile of the same column over other rows, as if they had been added here.

        The distinct sketches must come from processes with the same string hash seed.
        """
        self.sampled += other.sampled
        if other.non_null:
            first = self.non_null == 0
            self.non_null += other.non_null
            self.length_sum += other.length_sum
            self.min_length = other.min_length if first else min(self.min_length, other.min_length)
            self.max_length = other.max_length if first else max(self.max_length, other.max_length)
            merged = np.union1d(self._kmv, other._kmv).astype(np.uint64, copy=False)  # sorted, unique
            if len(merged) > _KMV_SIZE:
                self._saturated = True
                merged = merged[:_KMV_SIZE]
            self._saturated = self._saturated or other._saturated
            self._kmv = merged
        if other.min_value is not None:
            self.min_value = other.min_value if self.min_value is None else min(self.min_value, other.min_value)
        if other.max_value is not None:
            self.max_value = other.max_value if self.max_value is None else max(self.max_value, other.max_value)

    def to_dict(self) -> dict[str, Any]:
        """JSON-safe form; the sketch's hashes as signed 64-bit ints (safe for every JSON store)."""
        return {
            "sampled": self.sampled,
            "non_null": self.non_null,
            "length_sum": self.length_sum,
            "min_length": self.min_length,
            "max_length": self.max_length,
            "min_value": _float_to_json(self.min_value),
            "max_value": _float_to_json(self.max_value),
            "kmv": np.ascontiguousarray(self._kmv, dtype=np.uint64).view(np.int64).tolist(),
            "saturated": self._saturated,
        }

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> ColumnProfile:
        # Accepts hashes written signed or unsigned; re-sorted since the estimate reads the largest.
        kmv = np.unique(np.array([int(h) & _U64 for h in data.get("kmv", ())], dtype=np.uint64))
        return cls(
            sampled=int(data["sampled"]),
            non_null=int(data["non_null"]),
            length_sum=int(data["length_sum"]),
            min_length=int(data["min_length"]),
            max_length=int(data["max_length"]),
            min_value=_float_from_json(data.get("min_value")),
            max_value=_float_from_json(data.get("max_value")),
            _kmv=kmv.astype(np.uint64, copy=False),
            _saturated=bool(data.get("saturated", False)),
        )
