"""One multi-pattern matcher for every value regex of a rule set.

A batch of values is joined with newlines into one buffer and scanned once by
Hyperscan; match offsets map back to rows with `numpy.searchsorted`. Patterns
Hyperscan cannot compile go to one `re2.Set`, again one call per value for all of
them, with spans recovered only on the rows that set reports.
"""

from __future__ import annotations

from dataclasses import dataclass

import hyperscan
import numpy as np
import re2

from ..domain.ast import Regex
from .regexes import engine_for, hs_flags


@dataclass
class Hits:
    """Which rows each pattern matches in one batch: arrays sorted by (pattern, row)."""

    pattern: np.ndarray
    row: np.ndarray
    values: list[str]
    matcher: Matcher

    def __post_init__(self) -> None:
        self.n_rows = len(self.values)
        self._bounds = np.searchsorted(self.pattern, np.arange(len(self.matcher.regexes) + 1))
        self._present: dict[int, np.ndarray] = {}
        self._spans: dict[tuple[int, int], list[tuple[int, int]]] = {}

    def rows(self, pattern_id: int) -> np.ndarray:
        return self.row[self._bounds[pattern_id] : self._bounds[pattern_id + 1]]

    def present(self, pattern_id: int) -> np.ndarray:
        """Boolean array over rows: does the pattern match in the row."""
        mask = self._present.get(pattern_id)
        if mask is None:
            mask = np.zeros(self.n_rows, dtype=bool)
            mask[self.rows(pattern_id)] = True
            self._present[pattern_id] = mask
        return mask

    def spans(self, pattern_id: int, row: int) -> list[tuple[int, int]]:
        """Character spans of the pattern's matches in the row (RE2, hit rows only)."""
        key = (pattern_id, row)
        found = self._spans.get(key)
        if found is None:
            if not self.present(pattern_id)[row]:
                found = []
            else:
                found = [m.span() for m in self.matcher.single(pattern_id).finditer(self.values[row])]
            self._spans[key] = found
        return found

    def text(self, row: int, span: tuple[int, int]) -> str:
        return self.values[row][span[0] : span[1]]


def _may_cross_rows(source: str) -> bool:
    """Could the pattern match a newline, i.e. run from one joined value into the next?"""
    return "[^" in source or any(esc in source for esc in ("\\s", "\\W", "\\D", "\\S", "\\n", "(?s"))


class Matcher:
    """Compiled once per rule set; serializable so workers load it without recompiling."""

    def __init__(self, regexes: list[Regex]) -> None:
        self.regexes = regexes
        self.hs_ids = [i for i, r in enumerate(regexes) if engine_for(r) == "hyperscan"]
        hs = set(self.hs_ids)
        self.re2_ids = [i for i in range(len(regexes)) if i not in hs]
        self.cross_ids = np.array([i for i in self.hs_ids if _may_cross_rows(regexes[i].source)], dtype=np.int64)
        self._hs_db: hyperscan.Database | None = None
        self._re2_set: re2.Set | None = None
        self._single: dict[int, re2._Regexp] = {}
        self._build()

    def _build(self, serialized: bytes | None = None) -> None:
        if self.hs_ids:
            if serialized is not None:
                self._hs_db = hyperscan.loadb(serialized, hyperscan.HS_MODE_BLOCK)
                self._hs_db.scratch = hyperscan.Scratch(self._hs_db)
            else:
                db = hyperscan.Database(mode=hyperscan.HS_MODE_BLOCK)
                db.compile(
                    expressions=[self.regexes[i].source.encode("utf-8") for i in self.hs_ids],
                    ids=self.hs_ids,
                    flags=[hs_flags(self.regexes[i].caseless) for i in self.hs_ids],
                )
                self._hs_db = db
        if self.re2_ids:
            self._re2_set = re2.Set.SearchSet(re2.Options())
            for i in self.re2_ids:
                self._re2_set.Add(self._source(i))
            self._re2_set.Compile()

    def _source(self, pattern_id: int) -> str:
        regex = self.regexes[pattern_id]
        return ("(?i)" if regex.caseless else "") + regex.source

    def single(self, pattern_id: int) -> re2._Regexp:
        compiled = self._single.get(pattern_id)
        if compiled is None:
            compiled = self._single[pattern_id] = re2.compile(self._source(pattern_id))
        return compiled

    def __getstate__(self) -> dict[str, object]:
        return {
            "regexes": self.regexes,
            "hs_ids": self.hs_ids,
            "re2_ids": self.re2_ids,
            "cross_ids": self.cross_ids,
            "hs_bytes": hyperscan.dumpb(self._hs_db) if self._hs_db is not None else None,
        }

    def __setstate__(self, state: dict[str, object]) -> None:
        self.regexes = state["regexes"]  # type: ignore[assignment]
        self.hs_ids = state["hs_ids"]  # type: ignore[assignment]
        self.re2_ids = state["re2_ids"]  # type: ignore[assignment]
        self.cross_ids = state["cross_ids"]  # type: ignore[assignment]
        self._hs_db, self._re2_set, self._single = None, None, {}
        self._build(state["hs_bytes"])  # type: ignore[arg-type]

    def scan(self, values: list[str]) -> Hits:
        """Scan non-null string values; rows are indexes into `values`."""
        # A newline inside a value would split its row; spaces keep character offsets.
        if any("\n" in v or "\r" in v for v in values):
            values = [v.replace("\n", " ").replace("\r", " ") for v in values]
        pids: list[int] = []
        ends: list[int] = []
        if self._hs_db is not None and values:
            text = "\n".join(values).encode("utf-8")
            add_pid, add_end = pids.append, ends.append

            def on_match(pid: int, start: int, end: int, flags: int, context: object) -> None:
                add_pid(pid)
                add_end(end)

            self._hs_db.scan(text, match_event_handler=on_match)
            newlines = np.flatnonzero(np.frombuffer(text, dtype=np.uint8) == 10)
            row_starts = np.concatenate(([0], newlines + 1))
            pattern = np.array(pids, dtype=np.int64)
            row = np.searchsorted(row_starts, np.array(ends, dtype=np.int64) - 1, side="right") - 1
            row = np.maximum(row, 0)
        else:
            pattern = row = np.zeros(0, dtype=np.int64)
        pattern, row = _unique_pairs(pattern, row, len(values))
        if len(self.cross_ids) and len(pattern):
            pattern, row = self._verify_crossing(pattern, row, values)
        if self._re2_set is not None:
            extra_p, extra_r = self._scan_re2(values)
            pattern, row = _unique_pairs(
                np.concatenate((pattern, extra_p)), np.concatenate((row, extra_r)), len(values)
            )
        return Hits(pattern, row, values, self)

    def _verify_crossing(
        self, pattern: np.ndarray, row: np.ndarray, values: list[str]
    ) -> tuple[np.ndarray, np.ndarray]:
        # Patterns with negated classes or \s could have matched across the separator:
        # confirm those (and only those) hits on the row alone.
        suspect = np.flatnonzero(np.isin(pattern, self.cross_ids))
        keep = np.ones(len(pattern), dtype=bool)
        for i in suspect:
            keep[i] = self.single(int(pattern[i])).search(values[int(row[i])]) is not None
        return pattern[keep], row[keep]

    def _scan_re2(self, values: list[str]) -> tuple[np.ndarray, np.ndarray]:
        assert self._re2_set is not None
        match = self._re2_set.Match
        found = [match(v) or () for v in values]
        counts = np.fromiter(map(len, found), dtype=np.int64, count=len(found))
        rows = np.repeat(np.arange(len(values), dtype=np.int64), counts)
        index = np.fromiter((i for f in found for i in f), dtype=np.int64, count=int(counts.sum()))
        ids = np.asarray(self.re2_ids, dtype=np.int64)
        return (ids[index] if len(index) else index), rows


def _unique_pairs(pattern: np.ndarray, row: np.ndarray, n_rows: int) -> tuple[np.ndarray, np.ndarray]:
    """Sorted unique (pattern, row) pairs; sort-and-mask beats np.unique on big arrays."""
    if not len(pattern):
        return pattern, row
    key = np.sort(pattern * max(n_rows, 1) + row)
    keep = np.ones(len(key), dtype=bool)
    keep[1:] = key[1:] != key[:-1]
    key = key[keep]
    return key // max(n_rows, 1), key % max(n_rows, 1)
