"""Parse rule text into a `RuleAst` with lark (LALR, so errors name what was expected)."""

from __future__ import annotations

import json
from functools import lru_cache
from importlib import resources
from typing import Any

from lark import Lark, Token, Transformer, Tree, v_args
from lark.exceptions import UnexpectedCharacters, UnexpectedEOF, UnexpectedInput, UnexpectedToken, VisitError

from . import ast
from .errors import RuleError, Violation

# Readable names for the grammar's terminals in "expected ..." messages.
_TERMINAL_NAMES = {
    "REGEX": "a regex like /.../",
    "STRING": 'a string like "..."',
    "NAME": "a classification name",
    "NUMBER": "a number",
    "INT": "an integer",
    "COMPARATOR": "a comparison (>=, <=, ==, !=, >, <)",
    "STAT": "a column statistic",
    "COLUMN_FIELD": "column.name, column.comment or column.type",
    "LPAR": "'('",
    "RPAR": "')'",
    "LSQB": "'['",
    "RSQB": "']'",
    "COMMA": "','",
    "TILDE": "'~'",
    "$END": "end of rule",
}


#: Levels of the parse tree an expression may have. Each parenthesis, `and`, `or` and `not` adds a level or
#: two; the tree is walked recursively afterwards, so deeper input is refused before it can exhaust the stack.
MAX_TREE_DEPTH = 200


def too_deep(tree: Tree[Token], limit: int = MAX_TREE_DEPTH) -> Tree[Token] | None:
    """The first node found deeper than `limit` levels (walked without recursion), or None."""
    stack: list[tuple[Tree[Token], int]] = [(tree, 1)]
    while stack:
        node, level = stack.pop()
        if level > limit:
            return node
        stack.extend((child, level + 1) for child in node.children if isinstance(child, Tree))
    return None


@lru_cache(maxsize=1)
def _parser() -> Lark:
    grammar = resources.files(__package__).joinpath("grammar.lark").read_text(encoding="utf-8")
    return Lark(grammar, parser="lalr", propagate_positions=True, maybe_placeholders=True)


def _unquote(token: Token | str) -> str:
    value: str = json.loads(str(token))
    return value


def _regex(token: Token) -> ast.Regex:
    text = str(token)
    end = text.rindex("/")
    flags = text[end + 1 :]
    bad = set(flags) - {"i"}
    if bad:
        raise RuleError(
            [
                Violation(
                    "expression",
                    f"unknown regex flag(s) {''.join(sorted(bad))!r}; only 'i' (caseless) exists",
                    token.line or 0,
                    token.column or 0,
                )
            ]
        )
    source = text[1:end].replace("\\/", "/")
    return ast.Regex(source, caseless="i" in flags, line=token.line or 0, column=token.column or 0)


def _pos(token: Token) -> dict[str, int]:
    return {"line": token.line or 0, "column": token.column or 0}


@v_args(inline=True)
class _ToAst(Transformer[Token, Any]):
    def start(self, match: Any, evidence: Any, when: Any) -> ast.RuleAst:
        return ast.RuleAst(match=match, evidence=evidence, when=when)

    def match_clause(self, node: ast.Node) -> ast.Node:
        return node

    evidence_clause = match_clause
    when_clause = match_clause

    def or_(self, *items: ast.Node) -> ast.Node:
        return items[0] if len(items) == 1 else ast.Or(tuple(items))

    def and_(self, *items: ast.Node) -> ast.Node:
        return items[0] if len(items) == 1 else ast.And(tuple(items))

    def not_(self, item: ast.Node) -> ast.Node:
        return ast.Not(item)

    def value_regex(self, token: Token) -> ast.ValueRegex:
        return ast.ValueRegex(_regex(token))

    def value_not_regex(self, token: Token) -> ast.Not:
        return ast.Not(ast.ValueRegex(_regex(token)))

    def pattern_ref(self, token: Token) -> ast.PatternRef:
        name = _unquote(token) if token.type == "STRING" else str(token)
        return ast.PatternRef(name, **_pos(token))

    def validator(self, token: Token) -> ast.Validator:
        return ast.Validator(_unquote(token), **_pos(token))

    def phone(self, *tokens: Token | None) -> ast.Phone:
        regions = tuple(_unquote(t).upper() for t in tokens if t is not None)
        first = next((t for t in tokens if t is not None), None)
        return ast.Phone(regions, **(_pos(first) if first else {}))

    def selector(self, token: Token) -> str:
        return str(token)

    def in_dictionary(self, selector: str, token: Token) -> ast.InDictionary:
        return ast.InDictionary(selector, _unquote(token), **_pos(token))  # type: ignore[arg-type]

    def in_list(self, selector: str, *tokens: Token) -> ast.InList:
        return ast.InList(selector, tuple(_unquote(t) for t in tokens))  # type: ignore[arg-type]

    def near(self, *tokens: Token | None) -> ast.Near:
        words = tuple(_unquote(t) for t in tokens if t is not None and t.type == "STRING")
        ints = [int(t) for t in tokens if t is not None and t.type == "INT"]
        return ast.Near(words, ints[0] if ints else 50)

    def value_length(self, op: Token, number: Token) -> ast.ValueLength:
        return ast.ValueLength(str(op), int(number))  # type: ignore[arg-type]

    def column_regex(self, fld: Token, token: Token) -> ast.ColumnRegex:
        return ast.ColumnRegex(str(fld).split(".")[1], _regex(token))  # type: ignore[arg-type]

    def column_in(self, fld: Token, *tokens: Token) -> ast.ColumnIn:
        return ast.ColumnIn(str(fld).split(".")[1], tuple(_unquote(t) for t in tokens))  # type: ignore[arg-type]

    def stat_cmp(self, stat: Token, op: Token, number: Token) -> ast.StatCmp:
        return ast.StatCmp(str(stat), str(op), float(number))  # type: ignore[arg-type]

    def semantic_cmp(self, concept: Token, op: Token, number: Token) -> ast.SemanticCmp:
        return ast.SemanticCmp(_unquote(concept), str(op), float(number), **_pos(concept))  # type: ignore[arg-type]

    def model_cmp(self, model: Token, op: Token, number: Token) -> ast.ModelCmp:
        return ast.ModelCmp(_unquote(model), str(op), float(number), **_pos(model))  # type: ignore[arg-type]

    def references(self, token: Token) -> ast.References:
        return ast.References(_unquote(token) if token.type == "STRING" else str(token))


def _expected(exc: UnexpectedInput) -> str:
    expected: set[str] = set()
    if isinstance(exc, (UnexpectedToken, UnexpectedEOF)):
        expected = set(exc.expected)
    elif isinstance(exc, UnexpectedCharacters):
        expected = set(exc.allowed or ())
    names = sorted({_TERMINAL_NAMES.get(t, _keyword(t)) for t in expected})
    return ", ".join(names[:12]) if names else "something else"


def _keyword(terminal: str) -> str:
    # lark names anonymous keyword terminals after their text, e.g. MATCH, WHEN.
    return f"'{terminal.lower()}'"


def parse_rule(text: str) -> ast.RuleAst:
    """Parse rule text; raise `RuleError` with line, column and what was expected."""
    if not text.strip():
        raise RuleError([Violation("expression", "the rule is empty: write at least a match or when clause")])
    try:
        tree = _parser().parse(text)
        deep = too_deep(tree)
        if deep is not None:
            line, column = getattr(deep.meta, "line", 0), getattr(deep.meta, "column", 0)
            message = "nested too deeply: use fewer levels of parentheses, and, or and not"
            raise RuleError([Violation("expression", message, line, column)], reason_code="RULE_TOO_DEEP")
        rule: ast.RuleAst = _ToAst().transform(tree)
    except VisitError as exc:
        if isinstance(exc.orig_exc, RuleError):
            raise exc.orig_exc from None
        raise
    except UnexpectedInput as exc:
        line, column = exc.line or 0, exc.column or 0
        if isinstance(exc, UnexpectedEOF) or line < 0:
            lines = text.splitlines() or [""]
            line, column = len(lines), len(lines[-1]) + 1
        if isinstance(exc, UnexpectedCharacters):
            found = repr(text[exc.pos_in_stream]) if exc.pos_in_stream is not None else "a character"
        elif isinstance(exc, UnexpectedToken):
            found = "end of rule" if exc.token.type == "$END" else repr(str(exc.token))
        else:
            found = "end of rule"
        msg = f"unexpected {found}; expected {_expected(exc)}"
        raise RuleError([Violation("expression", msg, line, column)], reason_code="RULE_SYNTAX_ERROR") from None
    if rule.match is None and rule.evidence is None and rule.when is None:
        raise RuleError([Violation("expression", "the rule has no clause: write match, evidence or when")])
    return ast.RuleAst(match=rule.match, evidence=rule.evidence, when=rule.when, source=text)
