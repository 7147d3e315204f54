"""Match plans: a rule's match clause with its regexes resolved to matcher pattern ids."""

from __future__ import annotations

from dataclasses import dataclass

from ..domain import ast


@dataclass(frozen=True)
class PRegex:
    pid: int


@dataclass(frozen=True)
class PConfirm:
    """A check run only on rows the regexes matched (validator, phone, words, context)."""

    kind: str  # "validator" | "phone" | "dictionary" | "list" | "near"
    name: str = ""
    regions: tuple[str, ...] = ()
    selector: str = "value"
    words: frozenset[str] = frozenset()
    window: int = 0
    span_pids: tuple[int, ...] = ()
    label: str = ""


@dataclass(frozen=True)
class PLength:
    op: str
    length: int


@dataclass(frozen=True)
class PColumn:
    """A column predicate inside a match clause: constant for the whole column."""

    atom: ast.Node


@dataclass(frozen=True)
class PAnd:
    items: tuple[PNode, ...]


@dataclass(frozen=True)
class POr:
    items: tuple[PNode, ...]


@dataclass(frozen=True)
class PNot:
    item: PNode


PNode = PRegex | PConfirm | PLength | PColumn | PAnd | POr | PNot
