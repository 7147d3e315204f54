"""Which linear-time engine compiles a regex: Hyperscan first, RE2 as fallback.

Python's `re` never sees a user pattern: it backtracks, so a pattern like `(a+)+$`
could hang a worker. Both engines here guarantee linear-time matching.
"""

from __future__ import annotations

from functools import lru_cache

import hyperscan
import re2

from ..domain.ast import Regex

# No HS_FLAG_SOM_LEFTMOST: start-of-match tracking crashed Hyperscan 5.x on some patterns
# (e.g. (x+x+)+y), and RE2 recovers spans on the few rows that need them anyway.
HS_BASE_FLAGS = hyperscan.HS_FLAG_UTF8 | hyperscan.HS_FLAG_MULTILINE


def hs_flags(caseless: bool) -> int:
    return HS_BASE_FLAGS | (hyperscan.HS_FLAG_CASELESS if caseless else 0)


def unsupported_construct(source: str) -> str | None:
    """Name a construct no linear-time engine supports, scanning the pattern text."""
    i, in_class, n = 0, False, len(source)
    while i < n:
        c = source[i]
        if c == "\\" and i + 1 < n:
            nxt = source[i + 1]
            if not in_class and nxt in "123456789":
                return f"backreference \\{nxt} (needs backtracking; linear-time engines cannot run it)"
            if not in_class and nxt == "k" and i + 2 < n and source[i + 2] in "<{'":
                return "named backreference \\k<...> (needs backtracking)"
            if nxt in "pPx" and source[i + 2 : i + 3] == "{":
                # \p{Greek}, \x{20AC}: skip the braces so "}+" is not read as possessive.
                close = source.find("}", i + 3)
                i = close + 1 if close != -1 else n
                continue
            i += 2
            continue
        if in_class:
            if c == "]":
                in_class = False
        elif c == "[":
            in_class = True
            if source[i + 1 : i + 2] == "]":
                i += 1
        elif c == "(" and source[i + 1 : i + 2] == "?":
            head = source[i + 2 : i + 4]
            if head[:1] in ("=", "!"):
                return "lookahead (?= / (?! is not supported: linear-time engines have no lookaround"
            if head in ("<=", "<!"):
                return "lookbehind (?<= / (?<! is not supported: linear-time engines have no lookaround"
            if head[:1] == ">":
                return "atomic group (?> is not supported"
        elif c in "*+?}" and source[i + 1 : i + 2] == "+":
            return "possessive quantifier (e.g. a++) is not supported"
        i += 1
    return None


@lru_cache(maxsize=4096)
def _hyperscan_error(source: str, caseless: bool) -> str | None:
    db = hyperscan.Database(mode=hyperscan.HS_MODE_BLOCK)
    try:
        db.compile(expressions=[source.encode("utf-8")], ids=[0], flags=[hs_flags(caseless)])
    except hyperscan.error as exc:
        return str(exc)
    return None


def hs_compiles(source: str, caseless: bool) -> bool:
    return _hyperscan_error(source, caseless) is None


@lru_cache(maxsize=4096)
def _re2_error(source: str, caseless: bool) -> str | None:
    options = re2.Options()
    options.log_errors = False  # the error comes back to the caller; RE2 would also print the pattern
    try:
        re2.compile(("(?i)" if caseless else "") + source, options)
    except re2.error as exc:
        # google-re2 reports (b"message", b"pattern"): keep the message, as text.
        first = exc.args[0] if exc.args else exc
        return first.decode("utf-8", "replace") if isinstance(first, bytes) else str(first)
    return None


def engine_for(regex: Regex) -> str:
    """'hyperscan' or 're2'; raises ValueError saying why neither can take it."""
    construct = unsupported_construct(regex.source)
    if construct:
        raise ValueError(construct)
    if _hyperscan_error(regex.source, regex.caseless) is None:
        return "hyperscan"
    error = _re2_error(regex.source, regex.caseless)
    if error is None:
        return "re2"
    raise ValueError(f"not a valid regular expression ({error})")


def regex_error(regex: Regex) -> str | None:
    try:
        engine_for(regex)
    except ValueError as exc:
        return str(exc)
    return None


@lru_cache(maxsize=4096)
def compiled_re2(source: str, caseless: bool) -> re2._Regexp:
    """RE2 for small per-column checks (column names, comments, types)."""
    return re2.compile(("(?i)" if caseless else "") + source)
