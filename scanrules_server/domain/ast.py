"""Syntax tree of the rule language (see docs/rule-language.md).

Nodes are frozen dataclasses so a parsed rule can be hashed, cached and shared
between worker processes. Value nodes are evaluated per value; column nodes once
per column. Column predicates may appear inside a value expression, where they
act as per-column constants.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Literal

Comparator = Literal[">=", "<=", "==", "!=", ">", "<"]
WordSelector = Literal["value", "first_word", "last_word", "any_word"]
ColumnField = Literal["name", "comment", "type"]


@dataclass(frozen=True)
class Regex:
    """A regex literal `/.../flags`. Only the `i` (caseless) flag exists."""

    source: str
    caseless: bool = False
    line: int = 0
    column: int = 0

    def literal(self) -> str:
        return "/" + self.source.replace("/", "\\/") + "/" + ("i" if self.caseless else "")


# ---- value-level atoms -------------------------------------------------------


@dataclass(frozen=True)
class ValueRegex:
    regex: Regex
    negated: bool = False


@dataclass(frozen=True)
class PatternRef:
    name: str
    line: int = 0
    column: int = 0


@dataclass(frozen=True)
class Validator:
    name: str
    line: int = 0
    column: int = 0


@dataclass(frozen=True)
class Phone:
    regions: tuple[str, ...]
    line: int = 0
    column: int = 0


@dataclass(frozen=True)
class InDictionary:
    selector: WordSelector
    dictionary: str
    line: int = 0
    column: int = 0


@dataclass(frozen=True)
class InList:
    selector: WordSelector
    words: tuple[str, ...]


@dataclass(frozen=True)
class Near:
    keywords: tuple[str, ...]
    window: int = 50


@dataclass(frozen=True)
class ValueLength:
    op: Comparator
    length: int


# ---- column-level atoms ------------------------------------------------------


@dataclass(frozen=True)
class ColumnRegex:
    field: ColumnField
    regex: Regex


@dataclass(frozen=True)
class ColumnIn:
    field: ColumnField
    values: tuple[str, ...]


@dataclass(frozen=True)
class StatCmp:
    stat: str
    op: Comparator
    number: float


@dataclass(frozen=True)
class SemanticCmp:
    concept: str
    op: Comparator
    number: float
    line: int = 0
    column: int = 0


@dataclass(frozen=True)
class ModelCmp:
    model: str
    op: Comparator
    number: float
    line: int = 0
    column: int = 0


@dataclass(frozen=True)
class References:
    classification: str


# ---- connectives ---------------------------------------------------------------


@dataclass(frozen=True)
class And:
    items: tuple[Node, ...]


@dataclass(frozen=True)
class Or:
    items: tuple[Node, ...]


@dataclass(frozen=True)
class Not:
    item: Node


ValueAtom = ValueRegex | PatternRef | Validator | Phone | InDictionary | InList | Near | ValueLength
ColumnAtom = ColumnRegex | ColumnIn | StatCmp | SemanticCmp | ModelCmp | References
Node = ValueAtom | ColumnAtom | And | Or | Not

#: atoms that confirm a shape match; "matched" counts treat them as satisfied.
CONFIRMATIONS = (Validator, Phone, InDictionary, InList, Near)


@dataclass(frozen=True)
class RuleAst:
    """A parsed rule: `match`, `evidence` and `when` clauses, each optional."""

    match: Node | None = None
    evidence: Node | None = None
    when: Node | None = None
    source: str = field(default="", compare=False)


def walk(node: Node | None) -> list[Node]:
    """Every node of a tree, parents before children."""
    if node is None:
        return []
    out: list[Node] = [node]
    if isinstance(node, (And, Or)):
        for item in node.items:
            out.extend(walk(item))
    elif isinstance(node, Not):
        out.extend(walk(node.item))
    return out


def depth(node: Node | None) -> int:
    if node is None:
        return 0
    if isinstance(node, (And, Or)):
        return 1 + max(depth(i) for i in node.items)
    if isinstance(node, Not):
        return 1 + depth(node.item)
    return 1
