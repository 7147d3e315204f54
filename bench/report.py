"""Printing shared by the benchmarks: boxed tables (numbers right-aligned) and section headers."""

from __future__ import annotations

from collections.abc import Sequence


def _is_num(s: str) -> bool:
    try:
        float(s.replace(",", "").rstrip("%x×"))
        return True
    except ValueError:
        return s == "-"


def print_table(headers: Sequence[str], rows: Sequence[Sequence[object]], title: str = "") -> None:
    cells = [[str(h) for h in headers]] + [[str(c) for c in r] for r in rows]
    widths = [max(len(r[i]) for r in cells) for i in range(len(headers))]
    numeric = [all(_is_num(r[i]) for r in cells[1:]) and len(cells) > 1 for i in range(len(headers))]
    if title:
        print(title)
    line = "+" + "+".join("-" * (w + 2) for w in widths) + "+"
    print(line)
    for k, r in enumerate(cells):
        pairs = enumerate(zip(r, widths, strict=True))
        parts = [(c.rjust(w) if numeric[i] and k else c.ljust(w)) for i, (c, w) in pairs]
        print("| " + " | ".join(parts) + " |")
        if k == 0:
            print(line)
    print(line, flush=True)


def section(title: str) -> None:
    print()
    print("=" * 78)
    print(title)
    print("=" * 78, flush=True)


def verdict(ok: bool | None) -> str:
    return "n/a" if ok is None else ("PASS" if ok else "FAIL")
