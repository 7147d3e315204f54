"""``scanrules-ctl``: manage rules, rule sets, patterns and classifications of a scanrules server.

Talks to the server through `SyncScanRulesClient`. Output is a table (rich, or plain text when rich is missing)
or, with ``--output json``, one JSON document (`MessageToDict` with the proto field names).

Exit codes: 0 success; 1 other errors (and ``rules validate`` finding problems); 2 usage errors and
INVALID_ARGUMENT, NOT_FOUND, ALREADY_EXISTS, FAILED_PRECONDITION, ABORTED; 3 UNAVAILABLE, DEADLINE_EXCEEDED.
"""

from __future__ import annotations

import argparse
import datetime
import json
import os
import sys
from collections.abc import Callable, Iterable, Sequence
from pathlib import Path
from typing import Any

import grpc
from google.protobuf import duration_pb2, field_mask_pb2, timestamp_pb2
from google.protobuf.descriptor import EnumDescriptor, FieldDescriptor
from google.protobuf.json_format import MessageToDict
from google.protobuf.message import Message
from scanrules.v1 import rule_pb2, rule_service_pb2, rule_set_pb2

from ._common import DEFAULT_TIMEOUT, config_value
from ._errors import ScanRulesError
from ._sync import SyncScanRulesClient

__all__ = ["exit_code_for", "main"]

TARGET_ENV = "SCANRULES_TARGET"
DEFAULT_TARGET = "127.0.0.1:50051"

_USAGE_CODES = frozenset(
    {
        grpc.StatusCode.INVALID_ARGUMENT,
        grpc.StatusCode.NOT_FOUND,
        grpc.StatusCode.ALREADY_EXISTS,
        grpc.StatusCode.FAILED_PRECONDITION,
        grpc.StatusCode.ABORTED,
    }
)
_TRANSIENT_CODES = frozenset({grpc.StatusCode.UNAVAILABLE, grpc.StatusCode.DEADLINE_EXCEEDED})

SAMPLING = {
    "head": rule_set_pb2.SAMPLING_STRATEGY_HEAD,
    "random": rule_set_pb2.SAMPLING_STRATEGY_RANDOM,
    "percent": rule_set_pb2.SAMPLING_STRATEGY_PERCENT,
    "full": rule_set_pb2.SAMPLING_STRATEGY_FULL,
}


class UsageError(Exception):
    """A problem with the command line or local files, reported as ``error: <message>`` with exit code 2."""


def exit_code_for(code: grpc.StatusCode) -> int:
    """The process exit code for an RPC that failed with `code`."""
    if code in _USAGE_CODES:
        return 2
    if code in _TRANSIENT_CODES:
        return 3
    return 1


# --------------------------------------------------------------------------------------------------- output


def enum_text(enum: EnumDescriptor, number: int) -> str:
    """An enum value's name without the enum's prefix, e.g. ``REGEX`` for ``PATTERN_TYPE_REGEX``."""
    value = enum.values_by_number.get(number)
    if value is None:
        return str(number)
    if number == 0 and value.name.endswith("_UNSPECIFIED"):
        return ""
    prefix = "".join(f"_{c}" if c.isupper() else c.upper() for c in enum.name).lstrip("_") + "_"
    return value.name.removeprefix(prefix)


def _scalar_text(field: FieldDescriptor, value: Any) -> str:
    if field.type == FieldDescriptor.TYPE_ENUM and field.enum_type is not None:
        return enum_text(field.enum_type, int(value))
    if field.type == FieldDescriptor.TYPE_BOOL:
        return "true" if value else "false"
    if field.type in (FieldDescriptor.TYPE_DOUBLE, FieldDescriptor.TYPE_FLOAT):
        return f"{value:g}"
    if isinstance(value, timestamp_pb2.Timestamp):
        return timestamp_text(value)
    if isinstance(value, duration_pb2.Duration):
        return f"{value.ToTimedelta().total_seconds():g}s"
    if isinstance(value, Message):
        return json.dumps(MessageToDict(value, preserving_proto_field_name=True), separators=(",", ":"))
    return str(value)


def timestamp_text(value: timestamp_pb2.Timestamp) -> str:
    """A timestamp as ISO 8601 in UTC, or empty when unset."""
    if not value.seconds and not value.nanos:
        return ""
    return value.ToDatetime(tzinfo=datetime.UTC).isoformat(timespec="seconds")


def message_rows(message: Message, prefix: str = "") -> list[tuple[str, str]]:
    """The set fields of `message` as ``(path, text)`` rows, nested messages flattened with dotted paths."""
    rows: list[tuple[str, str]] = []
    for field, value in message.ListFields():
        path = prefix + field.name
        is_map = field.message_type is not None and field.message_type.GetOptions().map_entry
        if is_map:
            rows.append((path, ", ".join(f"{k}={v}" for k, v in sorted(value.items()))))
        elif field.is_repeated:
            rows.append((path, ", ".join(_scalar_text(field, item) for item in value)))
        elif field.type == FieldDescriptor.TYPE_MESSAGE and not isinstance(
            value, timestamp_pb2.Timestamp | duration_pb2.Duration
        ):
            rows.extend(message_rows(value, path + "."))
        else:
            rows.append((path, _scalar_text(field, value)))
    return rows


def _is_terminal() -> bool:
    isatty = getattr(sys.stdout, "isatty", None)
    return bool(isatty and isatty())


class Output:
    """Writes results to stdout as rich tables, plain text tables, or JSON."""

    def __init__(self, fmt: str) -> None:
        self.json = fmt == "json"

    def document(self, doc: Any) -> None:
        print(json.dumps(doc, indent=2, ensure_ascii=False))

    def message_json(self, message: Message) -> None:
        self.document(MessageToDict(message, preserving_proto_field_name=True))

    def messages_json(self, key: str, messages: Iterable[Message]) -> None:
        self.document({key: [MessageToDict(m, preserving_proto_field_name=True) for m in messages]})

    def line(self, text: str) -> None:
        print(text)

    def table(self, columns: Sequence[str], rows: Sequence[Sequence[str]], *, title: str | None = None) -> None:
        try:
            from rich import box
            from rich.console import Console
            from rich.table import Table
            from rich.text import Text
        except ImportError:  # pragma: no cover - rich is optional
            self._plain_table(columns, rows, title=title)
            return
        table = Table(title=title, box=box.SIMPLE_HEAD, title_justify="left", show_edge=False, pad_edge=False)
        for column in columns:
            table.add_column(column, overflow="fold")
        for row in rows:
            table.add_row(*(Text(cell) for cell in row))
        # A terminal folds wide cells to its width; a pipe or file gets whole lines (the table's natural width).
        width = None if _is_terminal() else 100_000
        Console(highlight=False, soft_wrap=False, width=width).print(table)

    def record(self, message: Message, *, title: str | None = None) -> None:
        """A single resource as a two-column FIELD/VALUE table."""
        self.table(["FIELD", "VALUE"], message_rows(message), title=title)

    def _plain_table(self, columns: Sequence[str], rows: Sequence[Sequence[str]], *, title: str | None) -> None:
        if title:
            print(title)
        widths = [len(c) for c in columns]
        for row in rows:
            widths = [max(w, len(cell)) for w, cell in zip(widths, row, strict=True)]
        for row in [list(columns), *rows]:
            print("  ".join(cell.ljust(width) for cell, width in zip(row, widths, strict=True)).rstrip())


# -------------------------------------------------------------------------------------------- helpers


def resource_name(collection: str, value: str) -> str:
    """``rules/x`` stays as is; a bare ``x`` becomes ``rules/x`` (for `collection` ``rules``)."""
    return value if "/" in value else f"{collection}/{value}"


def _without_revision(name: str) -> str:
    return name.split("@", 1)[0]


def _read_text(path: str) -> str:
    try:
        return sys.stdin.read() if path == "-" else Path(path).read_text(encoding="utf-8")
    except OSError as exc:
        raise UsageError(f"cannot read {path}: {exc.strerror or exc}") from None


def _expression(args: argparse.Namespace, *, required: bool) -> str | None:
    if args.expression is not None:
        return str(args.expression)
    if args.expression_file is not None:
        return _read_text(args.expression_file)
    if required:
        raise UsageError("give --expression or --expression-file")
    return None


def _threshold(value: str) -> float:
    try:
        number = float(value)
    except ValueError:
        raise argparse.ArgumentTypeError(f"not a number: {value!r}") from None
    if not 0.0 <= number <= 1.0:
        raise argparse.ArgumentTypeError("must be between 0 and 1")
    return number


def _flag(value: bool) -> str:
    return "yes" if value else "no"


# ----------------------------------------------------------------------------------------------- rules


def _rule_rows(rules: Iterable[rule_pb2.Rule]) -> list[list[str]]:
    return [
        [
            r.name,
            r.classification,
            enum_text(rule_pb2.PatternType.DESCRIPTOR, r.pattern_type),
            enum_text(rule_pb2.ComplexityLevel.DESCRIPTOR, r.complexity_level),
            f"{r.confidence_threshold:g}",
            _flag(r.is_active),
            r.revision_id,
        ]
        for r in rules
    ]


_RULE_COLUMNS = ["NAME", "CLASSIFICATION", "TYPE", "COMPLEXITY", "THRESHOLD", "ACTIVE", "REVISION"]


def rules_list(client: SyncScanRulesClient, args: argparse.Namespace, out: Output) -> int:
    rules = list(client.rules.iter_rules(filter=args.filter, order_by=args.order_by, page_size=args.page_size))
    if out.json:
        out.messages_json("rules", rules)
    else:
        out.table(_RULE_COLUMNS, _rule_rows(rules))
    return 0


def _show(out: Output, message: Message) -> None:
    if out.json:
        out.message_json(message)
    else:
        out.record(message)


def rules_get(client: SyncScanRulesClient, args: argparse.Namespace, out: Output) -> int:
    rule = client.rules.get_rule(rule_service_pb2.GetRuleRequest(name=resource_name("rules", args.name))).rule
    _show(out, rule)
    return 0


def rules_create(client: SyncScanRulesClient, args: argparse.Namespace, out: Output) -> int:
    rule = rule_pb2.Rule(
        expression=_expression(args, required=True),
        classification=args.classification,
        display_name=args.display_name or "",
        description=args.description or "",
    )
    if args.is_active is not None:  # unset means active
        rule.is_active = args.is_active
    if args.threshold is not None:
        rule.confidence_threshold = args.threshold
    request = rule_service_pb2.CreateRuleRequest(rule=rule, rule_id=args.rule_id, validate_only=args.validate_only)
    _show(out, client.rules.create_rule(request).rule)
    return 0


def rules_update(client: SyncScanRulesClient, args: argparse.Namespace, out: Output) -> int:
    name = _without_revision(resource_name("rules", args.name))
    rule = rule_pb2.Rule(name=name)
    paths: list[str] = []
    expression = _expression(args, required=False)
    if expression is not None:
        rule.expression = expression
        paths.append("expression")
    for field in ("classification", "display_name", "description"):
        if getattr(args, field) is not None:
            setattr(rule, field, getattr(args, field))
            paths.append(field)
    if args.threshold is not None:
        rule.confidence_threshold = args.threshold
        paths.append("confidence_threshold")
    if args.is_active is not None:
        rule.is_active = args.is_active
        paths.append("is_active")
    if not paths:
        raise UsageError("nothing to update: give at least one field option (see --help)")
    rule.etag = client.rules.get_rule(rule_service_pb2.GetRuleRequest(name=name)).rule.etag
    request = rule_service_pb2.UpdateRuleRequest(rule=rule, update_mask=field_mask_pb2.FieldMask(paths=paths))
    _show(out, client.rules.update_rule(request).rule)
    return 0


def rules_delete(client: SyncScanRulesClient, args: argparse.Namespace, out: Output) -> int:
    name = resource_name("rules", args.name)
    response = client.rules.delete_rule(rule_service_pb2.DeleteRuleRequest(name=name, etag=args.etag or ""))
    if out.json:
        out.message_json(response)
    else:
        out.line(f"deleted {name}")
    return 0


def rules_revisions(client: SyncScanRulesClient, args: argparse.Namespace, out: Output) -> int:
    name = _without_revision(resource_name("rules", args.name))
    revisions = list(client.rules.iter_rule_revisions(name, page_size=args.page_size))
    if out.json:
        out.messages_json("rules", revisions)
    else:
        rows = [
            [
                r.name,
                r.revision_id,
                timestamp_text(r.revision_create_time),
                r.classification,
                f"{r.confidence_threshold:g}",
                _flag(r.is_active),
            ]
            for r in revisions
        ]
        out.table(["NAME", "REVISION", "CREATED", "CLASSIFICATION", "THRESHOLD", "ACTIVE"], rows)
    return 0


def rules_validate(client: SyncScanRulesClient, args: argparse.Namespace, out: Output) -> int:
    request = rule_service_pb2.ValidateRuleRequest(
        expression=_expression(args, required=True), classification=args.classification or ""
    )
    response = client.rules.validate_rule(request)
    if out.json:
        out.message_json(response)
    elif response.valid:
        out.line(
            f"valid: {enum_text(rule_pb2.PatternType.DESCRIPTOR, response.pattern_type)}, "
            f"{enum_text(rule_pb2.ComplexityLevel.DESCRIPTOR, response.complexity_level)} "
            f"(score {response.complexity_score})"
        )
        for warning in response.warnings:
            out.line(f"warning: {warning}")
    else:
        rows = [[f"{v.line}:{v.column}" if v.line else "", v.field, v.description] for v in response.violations]
        out.table(["POSITION", "FIELD", "PROBLEM"], rows, title="invalid expression")
    return 0 if response.valid else 1


def rules_test(client: SyncScanRulesClient, args: argparse.Namespace, out: Output) -> int:
    values: list[str] = list(args.value or [])
    if args.values_file is not None:
        values.extend(_read_text(args.values_file).splitlines())
    if not values:
        raise UsageError("give --value (repeatable) or --values-file")
    request = rule_service_pb2.TestRuleRequest(values=values, column_name=args.column_name or "")
    if args.name is not None:
        if args.expression is not None or args.expression_file is not None:
            raise UsageError("give either a rule NAME or --expression, not both")
        request.name = resource_name("rules", args.name)
    else:
        expression = _expression(args, required=True)
        if not args.classification:
            raise UsageError("--classification is required with --expression")
        request.rule.CopyFrom(rule_pb2.Rule(expression=expression, classification=args.classification))
        if args.threshold is not None:
            request.rule.confidence_threshold = args.threshold
    response = client.rules.test_rule(request)
    if out.json:
        out.message_json(response)
        return 0
    d = response.decision
    out.table(
        ["CLASSIFICATION", "CONFIDENCE", "MATCH RATIO", "MATCHED", "VALIDATED", "SAMPLED", "REPORTED"],
        [
            [
                d.classification,
                f"{d.confidence:.3f}",
                f"{d.match_ratio:.3f}",
                str(d.matched),
                str(d.validated),
                str(d.sampled),
                _flag(d.reported),
            ]
        ],
        title="decision",
    )
    if d.explanation:
        out.line("")
        out.table(
            ["EVIDENCE", "DELTA", "DETAIL"],
            [[step.evidence, f"{step.delta:+.3f}", step.detail] for step in d.explanation],
            title="explanation",
        )
    out.line("")
    out.table(
        ["#", "VALUE", "MATCHED", "VALIDATED", "EVIDENCE"],
        [
            [
                str(m.index),
                values[m.index] if 0 <= m.index < len(values) else "",
                _flag(m.matched),
                _flag(m.validated),
                m.evidence,
            ]
            for m in response.matches
        ],
        title="values",
    )
    return 0


# ------------------------------------------------------------------------------------------- rule sets


def _rule_set_rows(rule_sets: Iterable[rule_set_pb2.RuleSet]) -> list[list[str]]:
    return [
        [
            s.name,
            s.display_name,
            str(len(s.rules)),
            str(s.policy.priority or ""),
            enum_text(rule_set_pb2.SamplingStrategy.DESCRIPTOR, s.policy.sampling_strategy),
            _flag(s.include_builtin),
            _flag(s.read_only),
            s.revision_id,
        ]
        for s in rule_sets
    ]


def rule_sets_list(client: SyncScanRulesClient, args: argparse.Namespace, out: Output) -> int:
    rule_sets = list(client.rules.iter_rule_sets(filter=args.filter, order_by=args.order_by, page_size=args.page_size))
    if out.json:
        out.messages_json("rule_sets", rule_sets)
    else:
        columns = ["NAME", "DISPLAY NAME", "RULES", "PRIORITY", "SAMPLING", "BUILTIN", "READ-ONLY", "REVISION"]
        out.table(columns, _rule_set_rows(rule_sets))
    return 0


def rule_sets_get(client: SyncScanRulesClient, args: argparse.Namespace, out: Output) -> int:
    name = resource_name("ruleSets", args.name)
    _show(out, client.rules.get_rule_set(rule_service_pb2.GetRuleSetRequest(name=name)).rule_set)
    return 0


def _apply_rule_set_options(rule_set: rule_set_pb2.RuleSet, args: argparse.Namespace) -> list[str]:
    """Copies the given options into `rule_set`; returns the field-mask paths they cover."""
    paths: list[str] = []
    if args.rule:
        rule_set.rules.extend(resource_name("rules", r) for r in args.rule)
        paths.append("rules")
    for option in ("display_name", "description", "include_builtin"):
        if getattr(args, option) is not None:
            setattr(rule_set, option, getattr(args, option))
            paths.append(option)
    policy_options: list[tuple[str, str, Callable[[Any], Any]]] = [
        ("priority", "priority", int),
        ("sampling", "sampling_strategy", lambda v: SAMPLING[v]),
        ("sample_size", "sample_size", int),
        ("sample_percent", "sample_percent", float),
        ("threshold", "confidence_threshold", float),
    ]
    for option, field, convert in policy_options:
        value = getattr(args, option)
        if value is not None:
            setattr(rule_set.policy, field, convert(value))
            paths.append(f"policy.{field}")
    return paths


def rule_sets_create(client: SyncScanRulesClient, args: argparse.Namespace, out: Output) -> int:
    rule_set = rule_set_pb2.RuleSet()
    _apply_rule_set_options(rule_set, args)
    request = rule_service_pb2.CreateRuleSetRequest(
        rule_set=rule_set, rule_set_id=args.rule_set_id, validate_only=args.validate_only
    )
    _show(out, client.rules.create_rule_set(request).rule_set)
    return 0


def rule_sets_update(client: SyncScanRulesClient, args: argparse.Namespace, out: Output) -> int:
    name = _without_revision(resource_name("ruleSets", args.name))
    rule_set = rule_set_pb2.RuleSet(name=name)
    paths = _apply_rule_set_options(rule_set, args)
    if not paths:
        raise UsageError("nothing to update: give at least one field option (see --help)")
    rule_set.etag = client.rules.get_rule_set(rule_service_pb2.GetRuleSetRequest(name=name)).rule_set.etag
    request = rule_service_pb2.UpdateRuleSetRequest(
        rule_set=rule_set, update_mask=field_mask_pb2.FieldMask(paths=paths)
    )
    _show(out, client.rules.update_rule_set(request).rule_set)
    return 0


def rule_sets_delete(client: SyncScanRulesClient, args: argparse.Namespace, out: Output) -> int:
    name = resource_name("ruleSets", args.name)
    response = client.rules.delete_rule_set(rule_service_pb2.DeleteRuleSetRequest(name=name, etag=args.etag or ""))
    if out.json:
        out.message_json(response)
    else:
        out.line(f"deleted {name}")
    return 0


def rule_sets_revisions(client: SyncScanRulesClient, args: argparse.Namespace, out: Output) -> int:
    name = _without_revision(resource_name("ruleSets", args.name))
    revisions = list(client.rules.iter_rule_set_revisions(name, page_size=args.page_size))
    if out.json:
        out.messages_json("rule_sets", revisions)
    else:
        rows = [[s.name, s.revision_id, timestamp_text(s.revision_create_time), str(len(s.rules))] for s in revisions]
        out.table(["NAME", "REVISION", "CREATED", "RULES"], rows)
    return 0


# ------------------------------------------------------------------------------ classifications, patterns


def classifications_list(client: SyncScanRulesClient, args: argparse.Namespace, out: Output) -> int:
    items = list(client.rules.iter_classifications(filter=args.filter, page_size=args.page_size))
    if out.json:
        out.messages_json("classifications", items)
    else:
        rows = [[c.name, c.display_name, c.category, ", ".join(c.countries), _flag(c.builtin)] for c in items]
        out.table(["NAME", "DISPLAY NAME", "CATEGORY", "COUNTRIES", "BUILTIN"], rows)
    return 0


def patterns_list(client: SyncScanRulesClient, args: argparse.Namespace, out: Output) -> int:
    items = list(client.rules.iter_patterns(filter=args.filter, order_by=args.order_by, page_size=args.page_size))
    if out.json:
        out.messages_json("patterns", items)
    else:
        rows = [
            [
                p.name,
                p.display_name,
                p.validator,
                _flag(p.builtin),
                str(p.usage_count),
                f"{p.measured_precision:.2f}" if p.measured_precision else "",
            ]
            for p in items
        ]
        out.table(["NAME", "DISPLAY NAME", "VALIDATOR", "BUILTIN", "USAGE", "PRECISION"], rows)
    return 0


def patterns_get(client: SyncScanRulesClient, args: argparse.Namespace, out: Output) -> int:
    name = resource_name("patterns", args.name)
    _show(out, client.rules.get_pattern(rule_service_pb2.GetPatternRequest(name=name)).pattern)
    return 0


# ---------------------------------------------------------------------------------------------- parser

Handler = Callable[[SyncScanRulesClient, argparse.Namespace, Output], int]


def _add_global_options(parser: argparse.ArgumentParser, *, suppress: bool) -> None:
    """Global options; on subcommands (`suppress`) they may also follow the command, e.g. ``rules list -o json``."""

    def default(value: Any) -> Any:
        return argparse.SUPPRESS if suppress else value

    group = parser.add_argument_group("connection and output")
    group.add_argument(
        "--target",
        default=default(None),
        help=f"server address (default: ${TARGET_ENV}, `target` in the config file, or {DEFAULT_TARGET})",
    )
    group.add_argument(
        "--token",
        default=default(None),
        help="bearer token: an API key or JWT (default: $SCANRULES_TOKEN, or `token` in the config file "
        "$SCANRULES_CONFIG or ~/.config/scanrules/config.toml)",
    )
    group.add_argument(
        "-o", "--output", choices=("table", "json"), default=default("table"), help="output format (default: table)"
    )
    group.add_argument(
        "--timeout",
        type=float,
        default=default(DEFAULT_TIMEOUT),
        help=f"deadline per call, in seconds (default: {DEFAULT_TIMEOUT:g})",
    )
    group.add_argument("--tls", action="store_true", default=default(False), help="connect with TLS")
    group.add_argument("--ca-file", default=default(None), help="PEM root certificates for TLS (implies --tls)")
    group.add_argument(
        "--cert-file", default=default(None), help="PEM client certificate for mutual TLS (implies --tls)"
    )
    group.add_argument("--key-file", default=default(None), help="PEM private key of --cert-file")


def _add_list_options(parser: argparse.ArgumentParser, *, order_by: bool = True) -> None:
    parser.add_argument("--filter", default="", help="AIP-160 filter expression")
    if order_by:
        parser.add_argument("--order-by", default="", help="sort order, e.g. 'update_time desc'")
    parser.add_argument("--page-size", type=int, default=0, help="items per page (all pages are fetched)")


def _add_active_options(parser: argparse.ArgumentParser) -> None:
    group = parser.add_mutually_exclusive_group()
    group.add_argument("--active", dest="is_active", action="store_const", const=True, default=None)
    group.add_argument("--inactive", dest="is_active", action="store_const", const=False)


def _add_expression_options(parser: argparse.ArgumentParser) -> None:
    group = parser.add_mutually_exclusive_group()
    group.add_argument("--expression", help="expression in the rule language")
    group.add_argument("--expression-file", metavar="FILE", help="read the expression from FILE ('-': stdin)")


def _add_rule_set_options(parser: argparse.ArgumentParser, *, rules_required: bool) -> None:
    parser.add_argument(
        "--rule",
        action="extend",
        nargs="+",
        metavar="NAME",
        required=rules_required,
        help="rule to include, 'rules/x', 'x' or 'rules/x@3' (repeatable; on update replaces the list)",
    )
    parser.add_argument("--display-name")
    parser.add_argument("--description")
    builtin = parser.add_mutually_exclusive_group()
    builtin.add_argument("--include-builtin", dest="include_builtin", action="store_const", const=True, default=None)
    builtin.add_argument("--no-include-builtin", dest="include_builtin", action="store_const", const=False)
    parser.add_argument("--priority", type=int, choices=range(1, 11), metavar="1-10")
    parser.add_argument("--sampling", choices=sorted(SAMPLING))
    parser.add_argument("--sample-size", type=int, help="rows per table for head/random sampling")
    parser.add_argument("--sample-percent", type=float, help="percentage of rows for percent sampling")
    parser.add_argument("--threshold", type=_threshold, help="minimum confidence for any finding, in [0, 1]")


def build_parser() -> argparse.ArgumentParser:
    """The ``scanrules-ctl`` argument parser."""
    parser = argparse.ArgumentParser(
        prog="scanrules-ctl", description="Manage the scan rules of a scanrules server.", allow_abbrev=False
    )
    _add_global_options(parser, suppress=False)
    groups = parser.add_subparsers(dest="group", metavar="COMMAND", required=True)

    def command(sub: Any, name: str, handler: Handler, help_text: str) -> argparse.ArgumentParser:
        cmd: argparse.ArgumentParser = sub.add_parser(name, help=help_text, description=help_text)
        _add_global_options(cmd, suppress=True)
        cmd.set_defaults(handler=handler)
        return cmd

    rules = groups.add_parser("rules", help="rules").add_subparsers(dest="command", metavar="ACTION", required=True)
    cmd = command(rules, "list", rules_list, "list rules (all pages)")
    _add_list_options(cmd)
    cmd = command(rules, "get", rules_get, "show a rule")
    cmd.add_argument("name", metavar="NAME", help="'rules/x', 'x' or 'rules/x@3'")
    cmd = command(rules, "create", rules_create, "create a rule")
    cmd.add_argument("rule_id", metavar="RULE_ID")
    _add_expression_options(cmd)
    cmd.add_argument("--classification", required=True, help="classification emitted, e.g. EMAIL_ADDRESS")
    cmd.add_argument("--display-name")
    cmd.add_argument("--description")
    cmd.add_argument("--threshold", type=_threshold, help="minimum confidence, in [0, 1]")
    _add_active_options(cmd)
    cmd.add_argument("--validate-only", action="store_true", help="check the request without creating the rule")
    cmd = command(rules, "update", rules_update, "update a rule (a new revision; only the given fields change)")
    cmd.add_argument("name", metavar="NAME")
    _add_expression_options(cmd)
    cmd.add_argument("--classification")
    cmd.add_argument("--display-name")
    cmd.add_argument("--description")
    cmd.add_argument("--threshold", type=_threshold, help="minimum confidence, in [0, 1]")
    _add_active_options(cmd)
    cmd = command(rules, "delete", rules_delete, "delete a rule and its revisions")
    cmd.add_argument("name", metavar="NAME")
    cmd.add_argument("--etag", help="fail unless the rule still has this etag")
    cmd = command(rules, "revisions", rules_revisions, "list a rule's revisions, newest first")
    cmd.add_argument("name", metavar="NAME")
    cmd.add_argument("--page-size", type=int, default=0)
    cmd = command(rules, "validate", rules_validate, "check an expression (exit 1 if invalid)")
    _add_expression_options(cmd)
    cmd.add_argument("--classification")
    cmd = command(rules, "test", rules_test, "evaluate a stored or inline rule over sample values")
    cmd.add_argument("name", metavar="NAME", nargs="?", help="a stored rule; or give --expression")
    _add_expression_options(cmd)
    cmd.add_argument("--classification", help="classification of the inline rule")
    cmd.add_argument("--threshold", type=_threshold, help="threshold of the inline rule")
    cmd.add_argument("--value", action="extend", nargs="+", metavar="V", help="sample values (repeatable)")
    cmd.add_argument("--values-file", metavar="FILE", help="sample values, one per line ('-': stdin)")
    cmd.add_argument("--column-name", help="the column's name, for name evidence")

    rule_sets = groups.add_parser("rule-sets", help="rule sets").add_subparsers(
        dest="command", metavar="ACTION", required=True
    )
    cmd = command(rule_sets, "list", rule_sets_list, "list rule sets (all pages)")
    _add_list_options(cmd)
    cmd = command(rule_sets, "get", rule_sets_get, "show a rule set")
    cmd.add_argument("name", metavar="NAME", help="'ruleSets/x', 'x' or 'ruleSets/x@3'")
    cmd = command(rule_sets, "create", rule_sets_create, "create a rule set")
    cmd.add_argument("rule_set_id", metavar="RULE_SET_ID")
    _add_rule_set_options(cmd, rules_required=True)
    cmd.add_argument("--validate-only", action="store_true")
    cmd = command(rule_sets, "update", rule_sets_update, "update a rule set (a new revision)")
    cmd.add_argument("name", metavar="NAME")
    _add_rule_set_options(cmd, rules_required=False)
    cmd = command(rule_sets, "delete", rule_sets_delete, "delete a rule set")
    cmd.add_argument("name", metavar="NAME")
    cmd.add_argument("--etag")
    cmd = command(rule_sets, "revisions", rule_sets_revisions, "list a rule set's revisions, newest first")
    cmd.add_argument("name", metavar="NAME")
    cmd.add_argument("--page-size", type=int, default=0)

    classifications = groups.add_parser("classifications", help="the classification catalogue").add_subparsers(
        dest="command", metavar="ACTION", required=True
    )
    cmd = command(classifications, "list", classifications_list, "list classifications")
    _add_list_options(cmd, order_by=False)

    patterns = groups.add_parser("patterns", help="the pattern library").add_subparsers(
        dest="command", metavar="ACTION", required=True
    )
    cmd = command(patterns, "list", patterns_list, "list patterns")
    _add_list_options(cmd)
    cmd = command(patterns, "get", patterns_get, "show a pattern")
    cmd.add_argument("name", metavar="NAME", help="'patterns/x' or 'x'")

    from .ctl_scan import add_scan_commands  # here, not at the top: ctl_scan imports this module

    add_scan_commands(groups, command)
    return parser


# ------------------------------------------------------------------------------------------------ main


def _read_pem(path: str | None) -> bytes | None:
    if not path:
        return None
    try:
        return Path(path).read_bytes()
    except OSError as exc:
        raise UsageError(f"cannot read {path}: {exc.strerror or exc}") from None


def _credentials(args: argparse.Namespace) -> grpc.ChannelCredentials | None:
    cert_file, key_file = getattr(args, "cert_file", None), getattr(args, "key_file", None)
    if bool(cert_file) != bool(key_file):
        raise UsageError("--cert-file and --key-file go together")
    if not (args.ca_file or args.tls or cert_file):
        return None
    return grpc.ssl_channel_credentials(
        root_certificates=_read_pem(args.ca_file),
        private_key=_read_pem(key_file),
        certificate_chain=_read_pem(cert_file),
    )


def _one_line(text: str) -> str:
    return " ".join(text.split())


def _report(error: ScanRulesError) -> None:
    print(f"error: {error.code.name}: {_one_line(error.message)}", file=sys.stderr)
    for field, description in error.field_violations:
        print(f"  {field}: {_one_line(description)}", file=sys.stderr)


def main(argv: Sequence[str] | None = None) -> int:
    """Runs ``scanrules-ctl`` with `argv` (default: ``sys.argv[1:]``); returns the exit code."""
    parser = build_parser()
    try:
        args = parser.parse_args(argv)
    except SystemExit as exc:  # --help, or a usage error argparse already printed
        return exc.code if isinstance(exc.code, int) else (0 if exc.code is None else 2)
    out = Output(args.output)
    handler: Handler = args.handler
    try:
        target = args.target or os.environ.get(TARGET_ENV) or config_value("target") or DEFAULT_TARGET
        with SyncScanRulesClient.connect(
            target,
            credentials=_credentials(args),
            token=args.token,
            timeout=args.timeout,
            connect_timeout=min(args.timeout, 5.0),
        ) as client:
            return handler(client, args, out)
    except ScanRulesError as exc:
        _report(exc)
        return exit_code_for(exc.code)
    except UsageError as exc:
        print(f"error: {_one_line(str(exc))}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        return 130
    except BrokenPipeError:  # e.g. `scanrules-ctl rules list | head`
        return 0
    except Exception as exc:  # never a traceback
        print(f"error: {type(exc).__name__}: {_one_line(str(exc))}", file=sys.stderr)
        return 1


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
