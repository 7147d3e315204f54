"""One multi-pattern matcher for every value regex of a rule set.

A batch of values is joined with newlines into one buffer and scanned once by
Hyperscan; match offsets map back to rows with `numpy.searchsorted`. Patterns
Hyperscan cannot compile go to one `re2.Set`, again one call per value for all of
them, with spans recovered only on the rows that set reports.

Patterns that only column-gated rules use ("gated": PASSWORD's catch-all under a
password-like column name) live in a second database, scanned only for columns
where such a rule is live; every match costs a Python callback, so keeping
catch-alls out of ordinary columns is most of the speed.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

import hyperscan
import numpy as np
import re2

from ..domain.ast import Regex
from .regexes import engine_for, hs_compiles, hs_flags


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
            elif pattern_id in self.matcher.whole_value:
                found = [(0, len(self.values[row]))]
            else:
                found = [m.span() for m in self.matcher.single(pattern_id).finditer(self.values[row])]
            self._spans[key] = found
        return found

    def text(self, row: int, span: tuple[int, int]) -> str:
        return self.values[row][span[0] : span[1]]


def _top_level_branches(source: str) -> list[str]:
    """The pattern split at its top-level `|` (outside groups and classes)."""
    branches: list[str] = []
    start, depth, i, in_class = 0, 0, 0, False
    while i < len(source):
        c = source[i]
        if c == "\\":
            i += 2
            continue
        if in_class:
            in_class = c != "]"
        elif c == "[":
            in_class = True
            if source[i + 1 : i + 2] == "]" or source[i + 1 : i + 3] == "^]":
                i += 2 if source[i + 1] == "]" else 3
                continue
        elif c == "(":
            depth += 1
        elif c == ")":
            depth -= 1
        elif c == "|" and depth == 0:
            branches.append(source[start:i])
            start = i + 1
        i += 1
    branches.append(source[start:])
    return branches


def anchored_whole_value(source: str) -> bool:
    """Whether every match of the pattern spans a whole line (`^...$` in every branch).

    Then a hit's span is the whole value and needs no second regex run.
    """
    for branch in _top_level_branches(source):
        if not (branch.startswith("^") and branch.endswith("$")):
            return False
        backslashes = len(branch[:-1]) - len(branch[:-1].rstrip("\\"))
        if backslashes % 2:  # an escaped \$ is a literal dollar
            return False
    return True


_SPACE_NO_NEWLINE = "\\t\\x0b\\x0c\\r "


def confine_to_row(source: str) -> str | None:
    """The pattern rewritten so that it cannot match a newline, or None if unsure.

    Values are joined with newlines for one Hyperscan pass; a negated class or `\\s`
    could otherwise run from one value into the next. Rewriting beats re-checking
    every hit with RE2, which cost more than the scan itself.
    """
    out: list[str] = []
    i, n, in_class = 0, len(source), False
    while i < n:
        c = source[i]
        if c == "\\" and i + 1 < n:
            esc = source[i : i + 2]
            if esc == "\\n" or (in_class and esc in ("\\W", "\\D")):
                return None
            if in_class and esc == "\\s" and source[i + 2 : i + 3] == "-":
                return None  # [\\s-x] would turn into a range
            if esc == "\\s":
                out.append(_SPACE_NO_NEWLINE if in_class else f"[{_SPACE_NO_NEWLINE}]")
            elif esc in ("\\W", "\\D") and not in_class:
                out.append("[^" + esc.replace("W", "w").replace("D", "d") + "\\n]")
            else:
                out.append(esc)
            i += 2
            continue
        if in_class:
            if c == "]" and not out[-1].endswith("["):
                in_class = False
            out.append(c)
        elif c == "[":
            in_class = True
            if source[i + 1 : i + 2] == "^":
                out.append("[^\\n")
                i += 2
                if source[i : i + 1] == "]":  # a literal ] right after [^
                    out.append("\\]")
                    i += 1
                continue
            out.append(c)
        elif c == "(" and source[i + 1 : i + 3] in ("?s", "?m"):
            return None
        else:
            out.append(c)
        i += 1
    return "".join(out)


class Matcher:
    """Compiled once per rule set; serializable so workers load it without recompiling."""

    def __init__(self, regexes: list[Regex], gated: Iterable[int] = ()) -> None:
        self.regexes = regexes
        self.gated = frozenset(gated)
        self.hs_ids = [i for i, r in enumerate(regexes) if engine_for(r) == "hyperscan"]
        hs = set(self.hs_ids)
        self.re2_ids = [i for i in range(len(regexes)) if i not in hs]
        self._hs_sources = {i: confine_to_row(regexes[i].source) for i in self.hs_ids}
        # Hyperscan must accept the confined form too; if not, fall back to checking hits.
        self._hs_sources = {
            i: src if src is not None and hs_compiles(src, regexes[i].caseless) else None
            for i, src in self._hs_sources.items()
        }
        self.whole_value = frozenset(i for i, r in enumerate(regexes) if anchored_whole_value(r.source))
        self.cross_ids = np.array([i for i, src in self._hs_sources.items() if src is None], dtype=np.int64)
        self._hs_dbs: dict[bool, hyperscan.Database] = {}
        self._re2_set: re2.Set | None = None
        self._single: dict[int, re2._Regexp] = {}
        self._build()

    def _build(self, serialized: dict[bool, bytes] | None = None) -> None:
        for gated in (False, True):
            ids = [i for i in self.hs_ids if (i in self.gated) == gated]
            if not ids:
                continue
            if serialized is not None:
                db = hyperscan.loadb(serialized[gated], hyperscan.HS_MODE_BLOCK)
                db.scratch = hyperscan.Scratch(db)
            else:
                db = hyperscan.Database(mode=hyperscan.HS_MODE_BLOCK)
                db.compile(
                    expressions=[(self._hs_sources[i] or self.regexes[i].source).encode("utf-8") for i in ids],
                    ids=ids,
                    flags=[hs_flags(self.regexes[i].caseless) for i in ids],
                )
            self._hs_dbs[gated] = db
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
            "gated": self.gated,
            "hs_ids": self.hs_ids,
            "re2_ids": self.re2_ids,
            "cross_ids": self.cross_ids,
            "hs_sources": self._hs_sources,
            "hs_bytes": {gated: hyperscan.dumpb(db) for gated, db in self._hs_dbs.items()},
        }

    def __setstate__(self, state: dict[str, object]) -> None:
        self.regexes = state["regexes"]  # type: ignore[assignment]
        self.gated = state["gated"]  # type: ignore[assignment]
        self.whole_value = frozenset(i for i, r in enumerate(self.regexes) if anchored_whole_value(r.source))
        self.hs_ids = state["hs_ids"]  # type: ignore[assignment]
        self.re2_ids = state["re2_ids"]  # type: ignore[assignment]
        self.cross_ids = state["cross_ids"]  # type: ignore[assignment]
        self._hs_sources = state["hs_sources"]  # type: ignore[assignment]
        self._hs_dbs, self._re2_set, self._single = {}, None, {}
        self._build(state["hs_bytes"])  # type: ignore[arg-type]

    def scan(self, values: list[str], gated: bool = False) -> Hits:
        """Scan non-null string values; rows are indexes into `values`.

        With `gated`, patterns that only column-gated rules use are scanned too.
        """
        # A newline inside a value would split its row; spaces keep character offsets.
        if any("\n" in v or "\r" in v for v in values):
            values = [v.replace("\n", " ").replace("\r", " ") for v in values]
        pids: list[int] = []
        ends: list[int] = []
        dbs = [db for is_gated, db in self._hs_dbs.items() if gated or not is_gated]
        if dbs and values:
            text = "\n".join(values).encode("utf-8")
            add_pid, add_end = pids.append, ends.append

            def on_match(pid: int, start: int, end: int, flags: int, context: object) -> None:
                add_pid(pid)
                add_end(end)

            for db in dbs:
                db.scan(text, match_event_handler=on_match)
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
