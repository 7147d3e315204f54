"""Hostile input (issue 6, point 7): random and mutated rule expressions and request messages, thrown at the
servicers through a real server and the real SDK.

Every call must end in success or one of the codes a caller can act on (INVALID_ARGUMENT, NOT_FOUND,
ALREADY_EXISTS, FAILED_PRECONDITION, ABORTED) - never INTERNAL or UNKNOWN, never DEADLINE_EXCEEDED (each call
has a 10 s deadline: a hang is a failure) - and every INVALID_ARGUMENT names at least one field violation.
After each test the server still answers its health check.

The examples are derandomized and no example database is kept, so CI runs the same inputs every time; set
``SCANRULES_FUZZ_SCALE`` (e.g. 10) to run more of them locally.
"""

from __future__ import annotations

import base64
import json
import os
import sqlite3
import string
import time
from collections import Counter
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any, TypeVar

import grpc
import pytest
from google.protobuf import duration_pb2, field_mask_pb2, message_factory
from google.protobuf.descriptor import Descriptor, FieldDescriptor
from google.protobuf.message import Message
from grpc_health.v1 import health_pb2, health_pb2_grpc
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from scanrules.v1 import (
    data_source_pb2,
    finding_pb2,
    monitoring_service_pb2,
    orchestration_service_pb2,
    pattern_pb2,
    rule_pb2,
    rule_service_pb2,
    rule_set_pb2,
    scan_job_pb2,
)

from scanrules_client import ScanRulesError, SyncScanRulesClient
from scanrules_server.api.convert import RULE_WRITABLE
from scanrules_server.secretbox import load_key
from scanrules_server.settings import Settings
from tests.integration.conftest import ServerThread

M = TypeVar("M", bound=Message)

CALL_TIMEOUT = 10.0
EXPECTED_CODES = frozenset(
    {
        grpc.StatusCode.INVALID_ARGUMENT,
        grpc.StatusCode.NOT_FOUND,
        grpc.StatusCode.ALREADY_EXISTS,
        grpc.StatusCode.FAILED_PRECONDITION,
        grpc.StatusCode.ABORTED,
    }
)
SCALE = max(1, int(os.environ.get("SCANRULES_FUZZ_SCALE", "1")))


def fuzz(examples: int) -> Callable[[Callable[..., Any]], Callable[..., Any]]:
    """Reproducible hypothesis settings: derandomized, no example database, no per-example deadline."""
    return settings(
        max_examples=examples * SCALE,
        deadline=None,
        derandomize=True,
        database=None,
        suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large, HealthCheck.filter_too_much],
    )


# ---- the server -------------------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def client(tmp_path_factory: pytest.TempPathFactory) -> Iterator[SyncScanRulesClient]:
    """One SQLite server for the module (auth on, admin key, no rate limit) and a blocking SDK client."""
    tmp: Path = tmp_path_factory.mktemp("hostile")
    key_file = tmp / "scanrules.key"
    load_key(key_file, create=True)
    settings_ = Settings(
        host="127.0.0.1",
        port=0,
        database_url=f"sqlite+aiosqlite:///{tmp / 'scanrules.db'}",
        migrate=True,
        secret_key_file=str(key_file),
        rate_limit_per_second=0,
    )
    server = ServerThread(settings_)
    try:
        target = server.start()
        assert server.running is not None and server.running.admin_key
        with SyncScanRulesClient.connect(target, token=server.running.admin_key, timeout=CALL_TIMEOUT) as c:
            _seed(c, tmp)
            yield c
    finally:
        server.stop()


@pytest.fixture(autouse=True)
def _healthy_after(client: SyncScanRulesClient) -> Iterator[None]:
    """After each test's whole batch of examples the server is still up and serving."""
    yield
    assert_healthy(client)


def assert_healthy(client: SyncScanRulesClient) -> None:
    stub = health_pb2_grpc.HealthStub(client.channel)
    reply = stub.Check(health_pb2.HealthCheckRequest(service=""), timeout=CALL_TIMEOUT)
    assert reply.status == health_pb2.HealthCheckResponse.SERVING


SEED_RULES = ("fuzz-email", "fuzz-card", "fuzz-ssn")
SEED_SOURCES = ("fuzz-files", "fuzz-pg", "fuzz-db")
#: Two finished jobs over `dataSources/fuzz-db`: one of `ruleSets/fuzz-set`, one ad hoc (ExecuteRules).
SEED_JOBS = ("fuzz-job", "fuzz-run")
TERMINAL_STATES = frozenset(
    {
        scan_job_pb2.ScanJob.STATE_SUCCEEDED,
        scan_job_pb2.ScanJob.STATE_FAILED,
        scan_job_pb2.ScanJob.STATE_CANCELLED,
        scan_job_pb2.ScanJob.STATE_PARTIALLY_SUCCEEDED,
    }
)


def _luhn(seed: int) -> str:
    """A 16-digit card number starting with 4 that passes the Luhn check."""
    digits = [4, *(int(d) for d in f"{seed:014d}")]
    total = 0
    for i, d in enumerate(reversed(digits)):  # the check digit goes after these 15: double every other one
        doubled = d * 2 if i % 2 == 0 else d
        total += doubled - 9 if doubled > 9 else doubled
    return "".join(map(str, digits)) + str((10 - total % 10) % 10)


def _make_scan_db(path: Path) -> Path:
    """A small SQLite database: a column of emails, one of card numbers, one of neither."""
    with sqlite3.connect(path) as db:
        db.execute("CREATE TABLE customers (id INTEGER PRIMARY KEY, contact TEXT, nickname TEXT)")
        db.executemany(
            "INSERT INTO customers (contact, nickname) VALUES (?, ?)",
            [(f"user{i}@example{i % 5}.com", f"nick{i}") for i in range(30)],
        )
        db.execute("CREATE TABLE payments (id INTEGER PRIMARY KEY, pan TEXT, amount REAL)")
        db.executemany(
            "INSERT INTO payments (pan, amount) VALUES (?, ?)", [(_luhn(7000 + 13 * i), i * 1.5) for i in range(30)]
        )
    db.close()
    return path


def wait_terminal(c: SyncScanRulesClient, name: str, timeout: float = 60.0) -> scan_job_pb2.ScanJob:
    """Polls the job until it reaches a terminal state; fails (a hang) after `timeout` seconds."""
    deadline = time.monotonic() + timeout
    while True:
        job = c.orchestration.get_scan_job(orchestration_service_pb2.GetScanJobRequest(name=name)).scan_job
        if job.state in TERMINAL_STATES:
            return job
        assert time.monotonic() < deadline, f"{name} still {scan_job_pb2.ScanJob.State.Name(job.state)}: a hang"
        time.sleep(0.1)


def _seed(c: SyncScanRulesClient, tmp: Path) -> None:
    """A few real resources, so that Get/Update/List meet existing names, etags and page tokens."""
    for rule_id, expression, classification in zip(
        SEED_RULES,
        (
            r"match value ~ /^[a-z0-9._%+\-]+@[a-z0-9.\-]+\.[a-z]{2,}$/i",
            r'match value ~ /\b(?:\d[ -]?){12,18}\d\b/ and valid("luhn")',
            r'match value ~ /^\d{3}-\d{2}-\d{4}$/ and valid("us.ssn")',
        ),
        ("EMAIL_ADDRESS", "CREDIT_CARD_NUMBER", "US_SOCIAL_SECURITY_NUMBER"),
        strict=True,
    ):
        c.rules.create_rule(
            rule_service_pb2.CreateRuleRequest(
                rule_id=rule_id, rule=rule_pb2.Rule(expression=expression, classification=classification)
            )
        )
    c.rules.create_rule_set(
        rule_service_pb2.CreateRuleSetRequest(
            rule_set_id="fuzz-set", rule_set=rule_set_pb2.RuleSet(rules=[f"rules/{r}" for r in SEED_RULES])
        )
    )
    c.orchestration.create_data_source(
        orchestration_service_pb2.CreateDataSourceRequest(
            data_source_id="fuzz-files", data_source=data_source_pb2.DataSource(uri="/nonexistent/folder")
        )
    )
    c.orchestration.create_data_source(
        orchestration_service_pb2.CreateDataSourceRequest(
            data_source_id="fuzz-pg",
            data_source=data_source_pb2.DataSource(
                uri="postgresql://scanner:pw@127.0.0.1:1/shop", include=["public.*"]
            ),
        )
    )
    c.orchestration.create_data_source(
        orchestration_service_pb2.CreateDataSourceRequest(
            data_source_id="fuzz-db", data_source=data_source_pb2.DataSource(uri=str(_make_scan_db(tmp / "shop.db")))
        )
    )
    c.orchestration.create_scan_job(
        orchestration_service_pb2.CreateScanJobRequest(
            scan_job_id="fuzz-job",
            scan_job=scan_job_pb2.ScanJob(
                rule_set="ruleSets/fuzz-set", data_sources=["dataSources/fuzz-db"], priority=7, labels={"team": "fuzz"}
            ),
        )
    )
    c.orchestration.execute_rules(
        orchestration_service_pb2.ExecuteRulesRequest(
            scan_job_id="fuzz-run", rules=["rules/fuzz-email", "rules/fuzz-card"], data_sources=["dataSources/fuzz-db"]
        )
    )
    for job_id in SEED_JOBS:
        job = wait_terminal(c, f"scanJobs/{job_id}")
        assert job.state == scan_job_pb2.ScanJob.STATE_SUCCEEDED and job.finding_count >= 2, job


# ---- the one check every call goes through ----------------------------------------------------------------


def expect_handled(call: Callable[..., M], request: Message) -> M | ScanRulesError:
    """Calls `call(request)` with a deadline; the outcome is the response or an expected, well-formed error."""
    try:
        return call(request, timeout=CALL_TIMEOUT)
    except ScanRulesError as exc:
        check_error(exc, request)
        return exc


def check_error(exc: ScanRulesError, request: Message) -> None:
    """`exc` has an expected code, and an INVALID_ARGUMENT names the fields at fault."""
    shown = repr(request)
    shown = shown if len(shown) < 600 else shown[:600] + f"... ({len(shown):,} characters)"
    assert exc.code in EXPECTED_CODES, f"{exc.code.name}: {exc.message[:300]!r} for {type(request).__name__} {shown}"
    if exc.code == grpc.StatusCode.INVALID_ARGUMENT:
        assert exc.field_violations, f"INVALID_ARGUMENT without field violations: {exc.message[:300]!r}"
        assert all(field for field, _ in exc.field_violations), exc.field_violations


# ---- text ---------------------------------------------------------------------------------------------------

SPECIAL_STRINGS = (
    "",
    " ",
    "\x00",
    "a\x00b",
    "\x00" * 64,
    "\ufeff",
    "\u202e",
    "\u200b",
    "𝔘𝔫𝔦𝔠𝔬𝔡𝔢",
    "🦄" * 40,
    "İıßẞ",
    "\r\n\t\v\f",
    "../../../../etc/passwd",
    "' OR 1=1 --",
    '"; DROP TABLE rules; --',
    "%s%s%s%n",
    "{0}{1}${x}",
    "\\",
    "\\\\\\\\",
    '"',
    "null",
    "NaN",
    "-0",
    "9" * 400,
    "-" + "9" * 40,
    "1e309",
    "0x7fffffffffffffff",
)

hostile_text = st.one_of(
    st.text(max_size=40),
    st.text(alphabet=st.characters(codec="utf-8"), max_size=40),
    st.sampled_from(SPECIAL_STRINGS),
    st.tuples(st.sampled_from("a9/(\x00é🦄"), st.sampled_from((63, 64, 255, 256, 1024, 4096, 4097, 20_001))).map(
        lambda t: t[0] * t[1]
    ),
)
short_text = st.one_of(st.text(max_size=20), st.sampled_from(SPECIAL_STRINGS[:16]))

resource_ids = st.one_of(
    st.from_regex(r"[a-z][a-z0-9-]{0,24}", fullmatch=True),
    st.sampled_from(("a", "A" * 63, "a" * 64, "x" * 63, "1abc", "-a", "a_b", "EMAIL_ADDRESS", "fuzz-email")),
    hostile_text,
)
request_ids = st.one_of(st.just(""), st.uuids().map(str), hostile_text, st.just("00000000-0000-0000-0000-000000000000"))

# ---- rule expressions ------------------------------------------------------------------------------------

VALID_EXPRESSIONS = (
    r"match value ~ /^\d{3}-\d{2}-\d{4}$/ and valid(" + '"us.ssn")',
    '# a card number\nmatch    value ~ /\\b(?:\\d[ -]?){12,18}\\d\\b/ and valid("luhn")\n'
    'evidence column.name ~ /card|ccn|pan\\b/i or semantic("credit card") >= 0.6\n'
    'when     not column.type in ["boolean", "bool"]',
    r"match value ~ /^[a-z0-9._%+\-]+@[a-z0-9.\-]+\.[a-z]{2,}$/i",
    "match pattern(EMAIL_ADDRESS)",
    'match pattern("EMAIL_ADDRESS") and not value ~ /example\\.com$/',
    'match value in dictionary("given_names") and length >= 2',
    'match first_word in ["visa", "amex",] or near(["ssn", "social"], 40)',
    'match phone("US", "GB") or phone()',
    "when references(US_SOCIAL_SECURITY_NUMBER)",
    "when match_ratio >= 0.5 and distinct_ratio > 0.1 and not null_ratio == 1",
    'when model("pii-v3") >= 0.9',
    'evidence semantic("email") >= 0.7 when column.comment ~ /mail/',
    "match value !~ /^test/ and column.comment ~ /secret/",
    'match value ~ /\\/path\\/to/ and valid("iban") or valid("bic")',
    "MATCH VALUE ~ /x/I WHEN SAMPLED > 10",
)

FRAGMENTS = (
    "/(a+)+$/",
    "(a+)+$",
    "(?=",
    "(?=x)",
    "(?!x)",
    "(?<=a)",
    "(?<!a)",
    "(?>a+)",
    "a++",
    "\\1",
    "(a)\\1",
    "\\k<n>",
    "(?P<n>a)(?P=n)",
    "(?#comment",
    "(?|a|b)",
    "(?U)",
    "(?i)",
    "[^]",
    "[z-a]",
    "[[:alpha:]]",
    "\\p{L}",
    "\\p{Nope}",
    "\\x{110000}",
    "\\u{10FFFF}",
    "\\Q.*\\E",
    "\\C",
    "\\X",
    "\\R",
    "\\",
    "/",
    "//",
    "\\/",
    '"',
    '\\"',
    "(",
    ")",
    "((",
    "))",
    "[",
    "]",
    "{",
    "}",
    "{99999999999}",
    "{1,1000000}",
    "{4294967296,}",
    "a{1000}{1000}{1000}",
    "(.*){1000}",
    "\x00",
    "\ufeff",
    "\u202e",
    "🦄",
    "İ",
    "\r\n",
    "#",
    " value ~ ",
    " and ",
    " or not ",
    " not not not ",
    'valid("',
    'valid("luhn")',
    'valid("' + "x" * 300 + '")',
    "pattern(",
    "pattern(NOPE_" + "X" * 200 + ")",
    "near([",
    'near(["a"], 99999999999999999999999999)',
    "length > 99999999999999999999999999999",
    "length >= -1",
    "match_ratio >= 999999999999999999999999999999999999.5",
    "sampled > " + "9" * 400,
    "max_value < -" + "9" * 400,
    'semantic("',
    'semantic("' + "🦄" * 50 + '") >= 0.5',
    "references(",
    'model("x") >= ',
    "column.name ~ /",
    "column.type in [",
    'in dictionary("../../etc/passwd")',
    "match ",
    " evidence ",
    " when ",
    ".*" * 50,
    "(?:" * 20,
)

expression_pieces = st.one_of(
    st.sampled_from(FRAGMENTS),
    st.characters(),
    st.text(max_size=8),
    st.text(alphabet='()[]{}/\\"~!<>=|&^$.*+?:,#', max_size=12),
)


@st.composite
def mutated(draw: st.DrawFn, bases: st.SearchStrategy[str] | None = None, pieces: Any = None) -> str:
    """A valid text put through 1-6 random edits: insert, delete, replace, duplicate, truncate, case swap."""
    text = draw(bases if bases is not None else st.sampled_from(VALID_EXPRESSIONS))
    pieces = pieces if pieces is not None else expression_pieces
    for _ in range(draw(st.integers(1, 6))):
        op = draw(st.sampled_from(("insert", "delete", "replace", "duplicate", "truncate", "swapcase")))
        i = draw(st.integers(0, len(text)))
        j = draw(st.integers(i, min(len(text), i + 16)))
        if op == "insert":
            text = text[:i] + draw(pieces) + text[i:]
        elif op == "delete":
            text = text[:i] + text[j:]
        elif op == "replace":
            text = text[:i] + draw(pieces) + text[j:]
        elif op == "duplicate":
            text = text[:j] + text[i:j] * draw(st.integers(1, 50)) + text[j:]
        elif op == "truncate":
            text = text[:i]
        else:
            text = text[:i] + text[i:j].swapcase() + text[j:]
    return text


NESTINGS = (
    "parens",
    "parens-open",
    "parens-close",
    "not",
    "regex-groups",
    "regex-groups-open",
    "regex-alternation",
    "regex-optional-groups",
    "or-chain",
    "and-chain",
    "column-parens",
    "column-not",
    "in-list",
)


def nested(kind: str, depth: int) -> str:
    """A rule expression nested `depth` levels deep (or `depth` items long) in one of the `NESTINGS` ways."""
    if kind == "parens":
        return "match " + "(" * depth + "value ~ /a/" + ")" * depth
    if kind == "parens-open":
        return "match " + "(" * depth + "value ~ /a/"
    if kind == "parens-close":
        return "match value ~ /a/" + ")" * depth
    if kind == "not":
        return "match " + "not " * depth + "value ~ /a/"
    if kind == "regex-groups":
        return "match value ~ /" + "(" * depth + "a" + ")" * depth + "/"
    if kind == "regex-groups-open":
        return "match value ~ /" + "(" * depth + "a/"
    if kind == "regex-alternation":
        return "match value ~ /" + "|".join("a" * (i % 7 + 1) for i in range(depth)) + "/"
    if kind == "regex-optional-groups":
        return "match value ~ /" + "(?:[a-z]+)?" * min(depth, 350) + "/"
    if kind == "or-chain":
        return "match " + " or ".join(f"value ~ /{i}/" for i in range(min(depth, 1200)))
    if kind == "and-chain":
        return "when " + " and ".join("sampled > 1" for _ in range(min(depth, 1500)))
    if kind == "column-parens":
        return "when " + "(" * depth + "column.name ~ /x/" + ")" * depth
    if kind == "column-not":
        return "evidence " + "not " * depth + "column.name ~ /x/"
    assert kind == "in-list", kind
    return "match value in [" + ", ".join(f'"{i}"' for i in range(min(depth, 2000))) + "]"


deeply_nested = st.builds(
    nested,
    st.sampled_from(NESTINGS),
    st.one_of(st.sampled_from((50, 500, 999, 1000, 1001, 2000, 3000, 4000)), st.integers(1, 4000)),
)


@st.composite
def near_limits(draw: st.DrawFn) -> str:
    """Expressions and regexes just under, at and over the length limits (20,000 and 4,096 characters)."""
    delta = draw(st.integers(-2, 2))
    if draw(st.booleans()):
        prefix = "match value ~ /a/ or value ~ /"
        return prefix + "b" * (20_000 + delta - len(prefix) - 1) + "/"
    return "match value ~ /" + "a" * (4_096 + delta) + "/"


expressions = st.one_of(
    st.sampled_from(VALID_EXPRESSIONS),
    mutated(),
    mutated(mutated()),
    deeply_nested,
    near_limits(),
    hostile_text,
    st.text(alphabet=string.printable, max_size=200),
    st.lists(st.sampled_from(FRAGMENTS), min_size=1, max_size=12).map("".join),
    st.lists(st.sampled_from(FRAGMENTS), min_size=1, max_size=6).map(lambda parts: "match value ~ /" + "".join(parts)),
)

classifications = st.one_of(
    st.sampled_from(("EMAIL_ADDRESS", "CREDIT_CARD_NUMBER", "US_SOCIAL_SECURITY_NUMBER", "MY_THING", "")),
    st.from_regex(r"[A-Z][A-Z0-9_]{0,30}", fullmatch=True),
    hostile_text,
)
thresholds = st.one_of(st.floats(0, 1), st.floats(), st.sampled_from((-1.0, 1.0000001, 1e308, -0.0)))

# ---- random messages from the descriptors -----------------------------------------------------------------

_INT_RANGES = {
    FieldDescriptor.TYPE_INT32: (-(2**31), 2**31 - 1),
    FieldDescriptor.TYPE_SINT32: (-(2**31), 2**31 - 1),
    FieldDescriptor.TYPE_SFIXED32: (-(2**31), 2**31 - 1),
    FieldDescriptor.TYPE_INT64: (-(2**63), 2**63 - 1),
    FieldDescriptor.TYPE_SINT64: (-(2**63), 2**63 - 1),
    FieldDescriptor.TYPE_SFIXED64: (-(2**63), 2**63 - 1),
    FieldDescriptor.TYPE_UINT32: (0, 2**32 - 1),
    FieldDescriptor.TYPE_FIXED32: (0, 2**32 - 1),
    FieldDescriptor.TYPE_UINT64: (0, 2**64 - 1),
    FieldDescriptor.TYPE_FIXED64: (0, 2**64 - 1),
}


def _scalar(field: FieldDescriptor) -> st.SearchStrategy[Any]:
    if field.type == FieldDescriptor.TYPE_STRING:
        return short_text if field.name in ("uri", "expression", "regex") else hostile_text
    if field.type == FieldDescriptor.TYPE_BYTES:
        return st.binary(max_size=32)
    if field.type == FieldDescriptor.TYPE_BOOL:
        return st.booleans()
    if field.type == FieldDescriptor.TYPE_DOUBLE:
        return st.floats()
    if field.type == FieldDescriptor.TYPE_FLOAT:
        return st.floats(width=32)
    if field.type == FieldDescriptor.TYPE_ENUM:
        assert field.enum_type is not None
        known = [v.number for v in field.enum_type.values]
        return st.one_of(st.sampled_from(known), st.integers(-(2**31), 2**31 - 1))
    low, high = _INT_RANGES[field.type]
    return st.one_of(st.integers(low, high), st.sampled_from((low, high, 0, -1, 1)).filter(lambda v: low <= v <= high))


@st.composite
def random_message(draw: st.DrawFn, descriptor: Descriptor, depth: int = 0) -> Message:
    """Any message of `descriptor` with random values in a random subset of its fields (nested up to 3 deep)."""
    message: Message = message_factory.GetMessageClass(descriptor)()
    for field in descriptor.fields:
        if not draw(st.booleans()):
            continue
        target = getattr(message, field.name)
        if field.message_type is not None and field.message_type.GetOptions().map_entry:
            key_field, value_field = (
                field.message_type.fields_by_name["key"],
                field.message_type.fields_by_name["value"],
            )
            for key, value in draw(st.dictionaries(_scalar(key_field), _scalar(value_field), max_size=4)).items():
                target[key] = value
        elif field.message_type is not None:
            if depth >= 3:
                continue
            if field.is_repeated:
                for item in draw(st.lists(random_message(field.message_type, depth + 1), max_size=3)):
                    target.add().CopyFrom(item)
            else:
                target.CopyFrom(draw(random_message(field.message_type, depth + 1)))
        elif field.is_repeated:
            target.extend(draw(st.lists(_scalar(field), max_size=5)))
        else:
            setattr(message, field.name, draw(_scalar(field)))
    return message


def messages(cls: type[M]) -> st.SearchStrategy[M]:
    return random_message(cls.DESCRIPTOR)  # type: ignore[arg-type,return-value]


def masks(writable: tuple[str, ...]) -> st.SearchStrategy[field_mask_pb2.FieldMask]:
    path = st.one_of(
        st.sampled_from(writable),
        st.sampled_from(("*", "name", "etag", "create_time", "revision_id", "kind", "password_set", "a.b", "")),
        short_text,
    )
    return st.lists(path, max_size=6).map(lambda paths: field_mask_pb2.FieldMask(paths=paths))


# ---- page tokens and filters ------------------------------------------------------------------------------


def _b64(raw: bytes) -> str:
    return base64.urlsafe_b64encode(raw).decode("ascii").rstrip("=")


json_values = st.recursive(
    st.one_of(
        st.none(),
        st.booleans(),
        st.integers(),
        st.sampled_from((2**63, 2**64 + 1, -(2**70), 10**400)),
        st.floats(allow_nan=False, allow_infinity=False),
        st.text(max_size=10),
    ),
    lambda children: st.one_of(
        st.lists(children, max_size=3), st.dictionaries(st.text(max_size=3), children, max_size=3)
    ),
    max_leaves=8,
)
hostile_keys = st.one_of(
    st.integers(),
    st.sampled_from((2**63, 2**63 - 1, -(2**63) - 1, 2**64, -(2**70), 10**400, 0, -1)),
    st.floats(),
    st.booleans(),
    st.text(max_size=8),
    st.none(),
    st.lists(st.integers(), max_size=2),
)


@st.composite
def page_tokens(draw: st.DrawFn, real: str = "") -> str:
    """Garbage, base64 of garbage, well-formed JSON with hostile keys, deeply nested JSON, real tokens edited."""
    kind = draw(st.sampled_from(("text", "bytes", "json", "shaped", "nested", "real", "real-edited", "empty")))
    if kind == "text":
        return draw(hostile_text)
    if kind == "bytes":
        return _b64(draw(st.binary(max_size=64)))
    if kind == "json":
        return _b64(json.dumps(draw(json_values)).encode())
    if kind == "shaped":
        return _b64(
            json.dumps({"k": draw(hostile_keys), "f": draw(st.one_of(st.text(max_size=16), hostile_keys))}).encode()
        )
    if kind == "nested":
        depth = draw(st.sampled_from((100, 1000, 5000, 100_000)))
        return _b64(("[" * depth + "]" * depth).encode() if draw(st.booleans()) else ('{"k":' * depth).encode())
    if kind == "empty" or not real:
        return ""
    if kind == "real":
        return real
    data = json.loads(base64.urlsafe_b64decode(real + "=" * (-len(real) % 4)))
    data["k"] = draw(hostile_keys)
    return _b64(json.dumps(data).encode())


def filters(valid: tuple[str, ...]) -> st.SearchStrategy[str]:
    pieces = st.one_of(
        st.sampled_from(
            (
                " AND ",
                " OR ",
                "NOT ",
                "(",
                ")",
                '"',
                "\\",
                "=",
                "!=",
                ">=",
                "<",
                ":",
                "*",
                "9" * 400,
                "1e999",
                "-1e999",
                ".5",
                "true",
                '"\\u0000"',
                '"\\ud800"',
                '"2025-13-45T99:99:99Z"',
                '"9999-12-31T23:59:59+14:00"',
                '"0001-01-01T00:00:00-14:00"',
                "\x00",
                "🦄",
                "a.b.c.d",
                "NOT " * 500,
            )
        ),
        st.text(max_size=6),
    )
    depth = st.sampled_from((10, 500, 2000, 5000))
    return st.one_of(
        st.sampled_from(valid),
        mutated(st.sampled_from(valid), pieces),
        hostile_text,
        depth.map(lambda n: "(" * n + valid[0] + ")" * n),
        depth.map(lambda n: "NOT " * n + valid[0]),
        depth.map(lambda n: " OR ".join([valid[0]] * min(n, 1500))),
    )


page_sizes = st.one_of(
    st.integers(-(2**31), 2**31 - 1), st.sampled_from((0, 1, -1, 1000, 1001, 2**31 - 1, -(2**31))), st.integers(0, 5)
)
order_bys = st.one_of(st.sampled_from(("", "create_time", "create_time asc", "create_time desc", "name")), short_text)

RULE_FILTERS = (
    'classification = "EMAIL_ADDRESS"',
    "is_active = true AND confidence_threshold >= 0.8",
    '(classification = EMAIL_ADDRESS OR classification = PHONE_NUMBER) AND NOT owner = "bob"',
    'display_name = "Card numbers"',
    "pattern_type = REGEX",
)
DATA_SOURCE_FILTERS = ('kind = "POSTGRESQL"', 'data_source_id = "fuzz-pg"', 'display_name = "x" OR kind = "CSV"')
AUDIT_FILTERS = (
    'principal = "user:alice@example.com" AND create_time > "2025-01-01T00:00:00Z"',
    'rpc = "/scanrules.v1.RuleService/CreateRule"',
    'outcome = "OK" OR outcome = "INVALID_ARGUMENT"',
    'resource = "rules/fuzz-email" AND NOT request_id = ""',
    'create_time <= "9999-12-31T23:59:59+14:00"',
)


def first_token(c: SyncScanRulesClient, kind: str) -> str:
    """A real `next_page_token` (page size 1), to replay and to edit."""
    if kind == "rules":
        return c.rules.list_rules(rule_service_pb2.ListRulesRequest(page_size=1)).next_page_token
    if kind == "sources":
        return c.orchestration.list_data_sources(
            orchestration_service_pb2.ListDataSourcesRequest(page_size=1)
        ).next_page_token
    if kind == "jobs":
        return c.orchestration.list_scan_jobs(
            orchestration_service_pb2.ListScanJobsRequest(page_size=1)
        ).next_page_token
    if kind == "findings":
        return c.orchestration.list_findings(
            orchestration_service_pb2.ListFindingsRequest(parent="scanJobs/-", page_size=1)
        ).next_page_token
    if kind == "executions":
        return c.orchestration.list_executions(
            orchestration_service_pb2.ListExecutionsRequest(parent="scanJobs/fuzz-job", page_size=1)
        ).next_page_token
    return c.monitoring.list_audit_events(monitoring_service_pb2.ListAuditEventsRequest(page_size=1)).next_page_token


# ---- rule names -------------------------------------------------------------------------------------------

names_of_rules = st.one_of(
    st.sampled_from([f"rules/{r}" for r in SEED_RULES]),
    st.tuples(st.sampled_from(SEED_RULES), st.one_of(st.integers(), st.sampled_from((2**63, 10**30)))).map(
        lambda t: f"rules/{t[0]}@{t[1]}"
    ),
    st.tuples(resource_ids, st.one_of(st.just(""), hostile_text)).map(lambda t: f"rules/{t[0]}@{t[1]}"),
    resource_ids.map(lambda r: f"rules/{r}"),
    st.sampled_from(
        ("rules/", "rules", "rules//", "rules/a/b", "ruleSets/fuzz-set", "rules/a@", "rules/a@0", "rules/a@-1")
    ),
    hostile_text,
)


# ---- RuleService ------------------------------------------------------------------------------------------


@fuzz(40)
@given(expression=expressions, classification=classifications)
def test_validate_rule_never_fails(client: SyncScanRulesClient, expression: str, classification: str) -> None:
    request = rule_service_pb2.ValidateRuleRequest(expression=expression, classification=classification)
    response = expect_handled(client.rules.validate_rule, request)
    if isinstance(response, rule_service_pb2.ValidateRuleResponse):
        assert response.valid or response.violations, "an invalid expression must say why"
        assert all(v.field for v in response.violations)


@pytest.mark.parametrize("depth", [90, 3_000])
@pytest.mark.parametrize("kind", NESTINGS)
def test_deep_nesting(client: SyncScanRulesClient, kind: str, depth: int) -> None:
    """Every way of nesting, just under the nesting limit and far past Python's recursion limit, through the
    RPCs that parse (UpdateRule checks expressions as CreateRule does)."""
    expression = nested(kind, depth)
    expect_handled(client.rules.validate_rule, rule_service_pb2.ValidateRuleRequest(expression=expression))
    rule = rule_pb2.Rule(expression=expression, classification="DEEP")
    expect_handled(
        client.rules.create_rule,
        rule_service_pb2.CreateRuleRequest(rule_id=f"deep-{kind}-{depth}", rule=rule, validate_only=True),
    )
    expect_handled(
        client.rules.test_rule, rule_service_pb2.TestRuleRequest(rule=rule, values=["a", "b", "0"], column_name="x")
    )


@st.composite
def rules(draw: st.DrawFn) -> rule_pb2.Rule:
    rule = rule_pb2.Rule(
        expression=draw(expressions),
        classification=draw(classifications),
        confidence_threshold=draw(thresholds),
        display_name=draw(short_text),
        description=draw(hostile_text),
        owner=draw(short_text),
        compliance_tags=draw(st.lists(short_text, max_size=4)),
        labels=draw(st.dictionaries(short_text, short_text, max_size=3)),
        sensitivity_label=draw(short_text),
    )
    if draw(st.booleans()):
        rule.is_active = draw(st.booleans())
    return rule


create_rule_requests = st.one_of(
    st.builds(
        rule_service_pb2.CreateRuleRequest,
        rule=rules(),
        rule_id=resource_ids,
        request_id=request_ids,
        validate_only=st.booleans(),
    ),
    messages(rule_service_pb2.CreateRuleRequest),
)


@fuzz(40)
@given(request=create_rule_requests)
def test_create_rule(client: SyncScanRulesClient, request: rule_service_pb2.CreateRuleRequest) -> None:
    response = expect_handled(client.rules.create_rule, request)
    if isinstance(response, rule_service_pb2.CreateRuleResponse):
        assert response.rule.name.startswith("rules/")
        expect_handled(client.rules.get_rule, rule_service_pb2.GetRuleRequest(name=response.rule.name))


@st.composite
def update_rule_requests(draw: st.DrawFn) -> tuple[rule_service_pb2.UpdateRuleRequest, bool]:
    """The request, and whether to send it with the rule's current etag (read by the test: strategies must not
    depend on the server's state)."""
    if draw(st.integers(0, 4)) == 0:
        return draw(messages(rule_service_pb2.UpdateRuleRequest)), False
    rule = draw(rules())
    rule.name = draw(st.one_of(st.sampled_from([f"rules/{r}" for r in SEED_RULES]), names_of_rules))
    etag = draw(st.sampled_from(("current", "random", "none")))
    if etag == "random":
        rule.etag = draw(hostile_text)
    return rule_service_pb2.UpdateRuleRequest(rule=rule, update_mask=draw(masks(RULE_WRITABLE))), etag == "current"


@fuzz(40)
@given(case=update_rule_requests())
def test_update_rule(client: SyncScanRulesClient, case: tuple[rule_service_pb2.UpdateRuleRequest, bool]) -> None:
    request, with_current_etag = case
    if with_current_etag:
        current = expect_handled(client.rules.get_rule, rule_service_pb2.GetRuleRequest(name=request.rule.name))
        if isinstance(current, rule_service_pb2.GetRuleResponse):
            request.rule.etag = current.rule.etag
    expect_handled(client.rules.update_rule, request)


sample_values = st.lists(
    st.one_of(
        st.sampled_from(
            (
                "4111 1111 1111 1111",
                "4242424242424242",
                "alice@example.com",
                "123-45-6789",
                "+1 650 253 0000",
                "FR7630006000011234567890189",
                "",
                "\x00" * 10,
            )
        ),
        hostile_text,
        st.integers().map(str),
    ),
    max_size=40,
)


@st.composite
def rule_test_requests(draw: st.DrawFn) -> rule_service_pb2.TestRuleRequest:
    source = draw(st.sampled_from(("rule", "name", "none", "random")))
    if source == "random":
        return draw(messages(rule_service_pb2.TestRuleRequest))
    request = rule_service_pb2.TestRuleRequest(
        values=draw(sample_values),
        column_name=draw(st.one_of(st.sampled_from(("card_number", "email", "ssn", "notes")), short_text)),
        column_comment=draw(short_text),
        column_type=draw(st.one_of(st.sampled_from(("text", "varchar(255)", "integer", "boolean")), short_text)),
    )
    if source == "rule":
        request.rule.CopyFrom(draw(rules()))
    elif source == "name":
        request.name = draw(names_of_rules)
    return request


@fuzz(40)
@given(request=rule_test_requests())
def test_test_rule(client: SyncScanRulesClient, request: rule_service_pb2.TestRuleRequest) -> None:
    response = expect_handled(client.rules.test_rule, request)
    if isinstance(response, rule_service_pb2.TestRuleResponse):
        assert len(response.matches) <= len(request.values)


def test_test_rule_with_many_long_values(client: SyncScanRulesClient) -> None:
    """A few megabytes of values (under the message limit), with NUL bytes and deep regex nesting."""
    values = ["4111 1111 1111 1111 " * 2_000, "\x00" * 100_000, "a" * 1_000_000, *(["x"] * 50_000)]
    for expression in (
        r'match value ~ /\b(?:\d[ -]?){12,18}\d\b/ and valid("luhn")',
        "match value ~ /" + "(" * 1000 + "a" + ")" * 1000 + "/",
        'match value ~ /(a|aa)*b/ and near(["x"], 2147483647)',
        "match length > 999999999999999999999999 or length < 99999999999",
    ):
        request = rule_service_pb2.TestRuleRequest(
            rule=rule_pb2.Rule(expression=expression, classification="X"), values=values, column_name="c"
        )
        expect_handled(client.rules.test_rule, request)


@st.composite
def create_rule_set_requests(draw: st.DrawFn) -> rule_service_pb2.CreateRuleSetRequest:
    if draw(st.integers(0, 2)) == 0:
        return draw(messages(rule_service_pb2.CreateRuleSetRequest))
    rule_set = rule_set_pb2.RuleSet(
        display_name=draw(short_text),
        description=draw(hostile_text),
        rules=draw(st.lists(names_of_rules, max_size=6)),
        include_builtin=draw(st.booleans()),
        labels=draw(st.dictionaries(short_text, short_text, max_size=3)),
    )
    if draw(st.booleans()):
        rule_set.policy.CopyFrom(draw(messages(rule_set_pb2.ScanPolicy)))
    return rule_service_pb2.CreateRuleSetRequest(
        rule_set=rule_set,
        rule_set_id=draw(resource_ids),
        request_id=draw(request_ids),
        validate_only=draw(st.booleans()),
    )


@fuzz(40)
@given(request=create_rule_set_requests())
def test_create_rule_set(client: SyncScanRulesClient, request: rule_service_pb2.CreateRuleSetRequest) -> None:
    expect_handled(client.rules.create_rule_set, request)


regexes = st.one_of(
    st.sampled_from((r"\b\d{3}-\d{2}-\d{4}\b", r"[a-z]+@[a-z]+\.com", "a")),
    mutated(st.sampled_from((r"\b\d{3}-\d{2}-\d{4}\b", r"(?:\d[ -]?){12,18}\d", r"[A-Z]{2}\d{2}[A-Z0-9]{11,30}"))),
    st.lists(st.sampled_from(FRAGMENTS), min_size=1, max_size=8).map("".join),
    st.integers(1, 3000).map(lambda n: "(" * n + "a" + ")" * n),
    st.sampled_from(("a" * 4096, "a" * 4097, "(a+)+$", "")),
    hostile_text,
)


@st.composite
def create_pattern_requests(draw: st.DrawFn) -> rule_service_pb2.CreatePatternRequest:
    if draw(st.integers(0, 3)) == 0:
        return draw(messages(rule_service_pb2.CreatePatternRequest))
    pattern = pattern_pb2.Pattern(
        display_name=draw(short_text),
        description=draw(short_text),
        regex=draw(regexes),
        validator=draw(st.one_of(st.sampled_from(("", "luhn", "us.ssn", "iban", "nope", "os.system")), short_text)),
        keywords=draw(st.lists(short_text, max_size=4)),
        exclusions=draw(st.lists(regexes, max_size=3)),
        keyword_window=draw(st.one_of(st.integers(-(2**31), 2**31 - 1), st.integers(0, 100))),
    )
    return rule_service_pb2.CreatePatternRequest(
        pattern=pattern,
        pattern_id=draw(st.one_of(resource_ids, st.sampled_from(("EMAIL_ADDRESS", "CREDIT_CARD_NUMBER")))),
        request_id=draw(request_ids),
        validate_only=draw(st.booleans()),
    )


@fuzz(40)
@given(request=create_pattern_requests())
def test_create_pattern(client: SyncScanRulesClient, request: rule_service_pb2.CreatePatternRequest) -> None:
    expect_handled(client.rules.create_pattern, request)


@fuzz(40)
@given(data=st.data())
def test_list_rules(client: SyncScanRulesClient, data: st.DataObject) -> None:
    real = first_token(client, "rules")
    request = data.draw(
        st.one_of(
            st.builds(
                rule_service_pb2.ListRulesRequest,
                page_size=page_sizes,
                page_token=page_tokens(real),
                filter=filters(RULE_FILTERS),
                order_by=order_bys,
            ),
            messages(rule_service_pb2.ListRulesRequest),
        )
    )
    response = expect_handled(client.rules.list_rules, request)
    if isinstance(response, rule_service_pb2.ListRulesResponse):
        assert len(response.rules) <= 1000


@fuzz(30)
@given(name=names_of_rules)
def test_get_rule(client: SyncScanRulesClient, name: str) -> None:
    expect_handled(client.rules.get_rule, rule_service_pb2.GetRuleRequest(name=name))
    expect_handled(client.rules.list_rule_revisions, rule_service_pb2.ListRuleRevisionsRequest(name=name))


# ---- OrchestrationService: data sources -------------------------------------------------------------------

SAMPLE_URIS = (
    "postgresql://scanner:s3cret@127.0.0.1:5432/shop",
    "postgresql+asyncpg://u@h/db",
    "postgresql://u:p@h:99999999/db",
    "postgresql://u:p@h:-1/db",
    "postgresql://u:p@h:abc/db",
    "postgresql://u:p@[::1/db",
    "postgresql://u:p@h:5432/db?sslmode=" + "x" * 300,
    "postgresql://:@/",
    "postgresql://%zz:%00@h/db",
    "postgres://u:p@h/db?a=1&a=2&%00=%00",
    "mysql://root:pw@127.0.0.1:3306/app",
    "mariadb+pymysql://u:p@h/db",
    "mysql://u:p@h:0/db",
    "sqlite:///relative.db",
    "sqlite:////absolute/path.sqlite3",
    "sqlite://",
    "sqlite:///",
    "sqlite:///:memory:",
    "file:///tmp/data.csv",
    "file://",
    "/tmp/data.parquet",
    "/tmp/folder",
    "C:\\data\\x.csv",
    "data.jsonl",
    "\\\\server\\share",
    "mongodb://u:p@h/db",
    "http://example.com/x.csv",
    "://",
    ":",
    "a" * 5000 + ".csv",
    "/tmp/a\x00b.csv",
)
uris = st.one_of(
    st.sampled_from(SAMPLE_URIS),
    st.tuples(
        st.sampled_from(("postgresql", "mysql", "mariadb", "sqlite", "postgres", "file", "PostgreSQL", "x")),
        hostile_text,
    ).map(lambda t: f"{t[0]}://{t[1]}"),
    mutated(st.sampled_from(("postgresql://scanner:s3cret@127.0.0.1:5432/shop", "sqlite:///x.db", "/tmp/x.csv"))),
    hostile_text,
)
globs = st.one_of(
    st.sampled_from(("public.*", "public.*.*", "*", "a.b.c", "a.b.c.d", "", "[", "**", "*.*.*.*", "\x00", "🦄.*")),
    hostile_text,
)


@st.composite
def create_data_source_requests(draw: st.DrawFn) -> orchestration_service_pb2.CreateDataSourceRequest:
    if draw(st.integers(0, 3)) == 0:
        return draw(messages(orchestration_service_pb2.CreateDataSourceRequest))
    source = data_source_pb2.DataSource(
        uri=draw(uris),
        password=draw(st.one_of(st.just(""), short_text)),
        display_name=draw(short_text),
        description=draw(short_text),
        include=draw(st.lists(globs, max_size=4)),
        exclude=draw(st.lists(globs, max_size=4)),
        labels=draw(st.dictionaries(short_text, short_text, max_size=3)),
    )
    return orchestration_service_pb2.CreateDataSourceRequest(
        data_source=source,
        data_source_id=draw(st.one_of(resource_ids, st.sampled_from(SEED_SOURCES))),
        request_id=draw(request_ids),
        validate_only=draw(st.integers(0, 3).map(bool)),
    )


@fuzz(50)
@given(request=create_data_source_requests())
def test_create_data_source(
    client: SyncScanRulesClient, request: orchestration_service_pb2.CreateDataSourceRequest
) -> None:
    response = expect_handled(client.orchestration.create_data_source, request)
    if isinstance(response, orchestration_service_pb2.CreateDataSourceResponse):
        assert not response.data_source.password, "passwords are write-only"
        got = expect_handled(
            client.orchestration.get_data_source,
            orchestration_service_pb2.GetDataSourceRequest(name=response.data_source.name),
        )
        assert isinstance(got, orchestration_service_pb2.GetDataSourceResponse) or request.validate_only


names_of_sources = st.one_of(
    st.sampled_from([f"dataSources/{s}" for s in SEED_SOURCES]),
    resource_ids.map(lambda r: f"dataSources/{r}"),
    st.sampled_from(("dataSources/", "dataSources", "dataSources/a/b", "rules/fuzz-email", "dataSources/a@1")),
    hostile_text,
)


@fuzz(30)
@given(name=names_of_sources)
def test_get_data_source(client: SyncScanRulesClient, name: str) -> None:
    response = expect_handled(
        client.orchestration.get_data_source, orchestration_service_pb2.GetDataSourceRequest(name=name)
    )
    if isinstance(response, orchestration_service_pb2.GetDataSourceResponse):
        assert not response.data_source.password


@fuzz(40)
@given(data=st.data())
def test_list_data_sources(client: SyncScanRulesClient, data: st.DataObject) -> None:
    real = first_token(client, "sources")
    request = data.draw(
        st.one_of(
            st.builds(
                orchestration_service_pb2.ListDataSourcesRequest,
                page_size=page_sizes,
                page_token=page_tokens(real),
                filter=filters(DATA_SOURCE_FILTERS),
                order_by=order_bys,
            ),
            messages(orchestration_service_pb2.ListDataSourcesRequest),
        )
    )
    response = expect_handled(client.orchestration.list_data_sources, request)
    if isinstance(response, orchestration_service_pb2.ListDataSourcesResponse):
        assert all(not s.password for s in response.data_sources)


# ---- MonitoringService ------------------------------------------------------------------------------------


@fuzz(40)
@given(data=st.data())
def test_list_audit_events(client: SyncScanRulesClient, data: st.DataObject) -> None:
    real = first_token(client, "audit")
    request = data.draw(
        st.one_of(
            st.builds(
                monitoring_service_pb2.ListAuditEventsRequest,
                page_size=page_sizes,
                page_token=page_tokens(real),
                filter=filters(AUDIT_FILTERS),
                order_by=st.one_of(
                    order_bys, st.sampled_from(("create_time desc, rpc", "principal", "create_time desc desc"))
                ),
            ),
            messages(monitoring_service_pb2.ListAuditEventsRequest),
        )
    )
    expect_handled(client.monitoring.list_audit_events, request)


# ---- OrchestrationService: scan jobs, findings, executions ------------------------------------------------

names_of_jobs = st.one_of(
    st.sampled_from([f"scanJobs/{j}" for j in SEED_JOBS]),
    resource_ids.map(lambda r: f"scanJobs/{r}"),
    st.sampled_from(
        (
            "scanJobs/",
            "scanJobs",
            "scanJobs/-",
            "scanJobs//",
            "scanJobs/fuzz-job/",
            "scanJobs/fuzz-job/findings/x",
            "scanJobs/fuzz-job@1",
            "scanJobs/%2e%2e",
            "ruleSets/fuzz-set",
            "dataSources/fuzz-db",
        )
    ),
    hostile_text,
)
names_of_rule_sets = st.one_of(
    st.sampled_from(("ruleSets/fuzz-set", "ruleSets/fuzz-set@1", "ruleSets/default")),
    st.sampled_from(
        (
            "ruleSets/fuzz-set@0",
            "ruleSets/fuzz-set@-1",
            "ruleSets/fuzz-set@2147483647",
            "ruleSets/fuzz-set@2147483648",
            "ruleSets/fuzz-set@9223372036854775808",
            "ruleSets/fuzz-set@" + "9" * 5_000,
            "ruleSets/fuzz-set@1\x00",
            "ruleSets/fuzz-set@",
            "ruleSets/fuzz-set@1@2",
            "ruleSets/",
            "ruleSets/nope",
            "rules/fuzz-email",
            "ruleSets/" + "a" * 20_000,
        )
    ),
    st.tuples(resource_ids, st.one_of(st.just(""), hostile_text)).map(lambda t: f"ruleSets/{t[0]}@{t[1]}"),
    hostile_text,
)
#: Mostly the scannable SQLite source, so that valid requests are common.
scan_sources = st.one_of(
    st.just("dataSources/fuzz-db"),
    st.sampled_from([f"dataSources/{s}" for s in SEED_SOURCES]),
    names_of_sources,
)
int32s = st.one_of(st.integers(-(2**31), 2**31 - 1), st.sampled_from((0, 1, -1, 10, 11, 2**31 - 1, -(2**31))))
int64s = st.one_of(st.integers(-(2**63), 2**63 - 1), st.sampled_from((0, 1, -1, 2**31, 2**53 + 1, 2**63 - 1, -(2**63))))
#: Durations proto-valid or not: past +-10,000 years, nanos out of range or of the other sign.
durations = st.builds(
    duration_pb2.Duration,
    seconds=st.one_of(
        st.integers(-(2**63), 2**63 - 1),
        st.sampled_from((0, 1, -1, 86_400, 315_576_000_000, 315_576_000_001, 2**63 - 1, -(2**63))),
    ),
    nanos=st.one_of(int32s, st.sampled_from((1, -1, 999_999_999, 1_000_000_000, -999_999_999))),
)


def enum_values(enum: Any) -> st.SearchStrategy[Any]:
    """The enum's numbers, and any other 32-bit number (proto3 enums are open)."""
    return st.one_of(st.sampled_from([v.number for v in enum.DESCRIPTOR.values]), int32s)


@st.composite
def scan_policies(draw: st.DrawFn) -> rule_set_pb2.ScanPolicy:
    kind = draw(st.sampled_from(("random", "hostile", "sane", "sane")))
    if kind == "random":
        return draw(messages(rule_set_pb2.ScanPolicy))
    if kind == "sane":
        return rule_set_pb2.ScanPolicy(
            sampling_strategy=draw(enum_values(rule_set_pb2.SamplingStrategy).filter(lambda v: 0 <= v <= 4)),
            sample_size=draw(st.integers(0, 100)),
            confidence_threshold=draw(st.floats(0, 1)),
            priority=draw(st.integers(0, 10)),
            partition_rows=draw(st.integers(0, 100)),
            unit_timeout=draw(st.sampled_from((duration_pb2.Duration(), duration_pb2.Duration(seconds=60)))),
        )
    policy = rule_set_pb2.ScanPolicy(
        sampling_strategy=draw(enum_values(rule_set_pb2.SamplingStrategy)),
        sample_size=draw(st.one_of(st.integers(0, 100), int64s)),
        sample_percent=draw(st.one_of(st.floats(0, 100), st.floats())),
        confidence_threshold=draw(thresholds),
        priority=draw(int32s),
        source_types=draw(
            st.lists(st.one_of(st.sampled_from(("sqlite", "csv", "SQLITE", "nope")), short_text), max_size=3)
        ),
        partition_rows=draw(st.one_of(st.integers(0, 100), int64s)),
    )
    if draw(st.booleans()):
        policy.unit_timeout.CopyFrom(draw(durations))
    if draw(st.booleans()):
        policy.retry_policy.CopyFrom(
            rule_set_pb2.RetryPolicy(
                max_attempts=draw(int32s),
                initial_backoff=draw(durations),
                max_backoff=draw(durations),
                backoff_multiplier=draw(st.one_of(st.floats(), st.sampled_from((0.0, 1.0, -1.0)))),
            )
        )
    return policy


JOB_FIELDS = ("rule_set", "data_sources", "priority", "strategy", "concurrency", "executor", "labels", "depends_on")


@st.composite
def scan_job_specs(draw: st.DrawFn, max_hostile: int = 3) -> scan_job_pb2.ScanJob:
    """A job with up to `max_hostile` hostile fields (the rest sane, so that requests often pass every check)."""
    hostile = draw(st.sets(st.sampled_from(JOB_FIELDS), max_size=max_hostile))

    def pick(field: str, sane: st.SearchStrategy[Any], wild: st.SearchStrategy[Any]) -> Any:
        return draw(wild if field in hostile else sane)

    job = scan_job_pb2.ScanJob(
        display_name=draw(short_text),
        rule_set=pick("rule_set", st.sampled_from(("ruleSets/fuzz-set", "ruleSets/fuzz-set@1")), names_of_rule_sets),
        data_sources=pick(
            "data_sources",
            st.just(["dataSources/fuzz-db"]),
            st.lists(scan_sources, min_size=draw(st.integers(0, 1)), max_size=3),
        ),
        priority=pick("priority", st.integers(0, 10), int32s),
        strategy=pick("strategy", st.integers(0, 3), enum_values(scan_job_pb2.ScanJob.Strategy)),
        max_concurrency_per_source=pick("concurrency", st.integers(0, 4), int32s),
        executor=pick(
            "executor",
            st.sampled_from(("", "local")),
            st.one_of(st.sampled_from(("dask", "LOCAL", "k8s", "local\x00")), short_text),
        ),
        labels=pick(
            "labels",
            st.dictionaries(st.text(max_size=5), st.text(max_size=5), max_size=2),
            st.dictionaries(short_text, hostile_text, max_size=3),
        ),
        depends_on=pick(
            "depends_on",
            st.lists(st.sampled_from([f"scanJobs/{j}" for j in SEED_JOBS]), max_size=2),
            st.lists(names_of_jobs, max_size=3),
        ),
        force=draw(st.booleans()),
    )
    if draw(st.booleans()):
        job.policy_override.CopyFrom(draw(scan_policies()))
    if draw(st.integers(0, 5)) == 0:  # output-only fields set by the caller
        job.state = draw(enum_values(scan_job_pb2.ScanJob.State))
        job.rules.extend(draw(st.lists(names_of_rules, max_size=2)))
        job.units_total = draw(int64s)
    return job


@st.composite
def create_scan_job_requests(draw: st.DrawFn) -> orchestration_service_pb2.CreateScanJobRequest:
    """Mostly validate-only (planning and checks, no scan): real scans are slow, a few run for real."""
    if draw(st.integers(0, 4)) == 0:
        request = draw(messages(orchestration_service_pb2.CreateScanJobRequest))
    else:
        request = orchestration_service_pb2.CreateScanJobRequest(
            scan_job=draw(scan_job_specs()),
            scan_job_id=draw(
                st.one_of(st.just(""), st.just(""), st.from_regex(r"[a-z][a-z0-9-]{0,24}", fullmatch=True))
                if draw(st.integers(0, 3))
                else st.one_of(resource_ids, st.sampled_from(SEED_JOBS))
            ),
            request_id=draw(st.one_of(st.just(""), st.uuids().map(str)) if draw(st.integers(0, 3)) else request_ids),
        )
    request.validate_only = draw(st.sampled_from((True, True, True, True, True, False)))
    return request


def cancel_if_open(client: SyncScanRulesClient, job: scan_job_pb2.ScanJob) -> None:
    """A job the fuzzer made may wait forever (a dependency, a back-off of years): stop it."""
    if job.state not in TERMINAL_STATES:
        expect_handled(
            client.orchestration.cancel_scan_job, orchestration_service_pb2.CancelScanJobRequest(name=job.name)
        )


@fuzz(40)
@given(request=create_scan_job_requests())
def test_create_scan_job(client: SyncScanRulesClient, request: orchestration_service_pb2.CreateScanJobRequest) -> None:
    response = expect_handled(client.orchestration.create_scan_job, request)
    if isinstance(response, orchestration_service_pb2.CreateScanJobResponse):
        job = response.scan_job
        assert job.name.startswith("scanJobs/") and job.rule_set.startswith("ruleSets/") and "@" in job.rule_set
        assert 1 <= job.priority <= 10, job.priority
        got = expect_handled(
            client.orchestration.get_scan_job, orchestration_service_pb2.GetScanJobRequest(name=job.name)
        )
        if request.validate_only and not request.request_id:
            assert isinstance(got, ScanRulesError) and got.code == grpc.StatusCode.NOT_FOUND, "validate_only stored"
        elif isinstance(got, orchestration_service_pb2.GetScanJobResponse):
            cancel_if_open(client, got.scan_job)


@fuzz(4)
@given(job=scan_job_specs(max_hostile=0), request_id=st.one_of(st.just(""), st.uuids().map(str)))
def test_create_scan_job_for_real(client: SyncScanRulesClient, job: scan_job_pb2.ScanJob, request_id: str) -> None:
    """A few jobs that pass every check (hostile policies, labels and names aside) run, and end or progress."""
    request = orchestration_service_pb2.CreateScanJobRequest(scan_job=job, request_id=request_id)
    response = expect_handled(client.orchestration.create_scan_job, request)
    if isinstance(response, orchestration_service_pb2.CreateScanJobResponse):
        cancel_if_open(client, wait_progress(client, response.scan_job.name))


@st.composite
def execute_rules_requests(draw: st.DrawFn) -> orchestration_service_pb2.ExecuteRulesRequest:
    """ExecuteRules has no validate_only: every valid request scans, so most requests here are invalid (a
    hostile rule or source name, or none of them)."""
    if draw(st.integers(0, 4)) == 0:
        return draw(messages(orchestration_service_pb2.ExecuteRulesRequest))
    valid = draw(st.sampled_from((False, False, False, False, True)))
    rule_names = st.sampled_from([f"rules/{r}" for r in SEED_RULES])
    request = orchestration_service_pb2.ExecuteRulesRequest(
        rules=draw(st.lists(rule_names if valid else names_of_rules, max_size=4)),
        data_sources=draw(st.lists(st.just("dataSources/fuzz-db") if valid else scan_sources, max_size=3)),
        include_builtin=draw(st.booleans()),
        scan_job_id=draw(st.one_of(st.just(""), resource_ids, st.sampled_from(SEED_JOBS))),
        request_id=draw(request_ids),
    )
    if draw(st.booleans()):
        request.policy.CopyFrom(draw(scan_policies()))
    if (
        not valid
        and request.data_sources
        and request.rules
        and all(s == "dataSources/fuzz-db" for s in request.data_sources)
    ):
        request.data_sources.append(draw(names_of_sources))  # keep the invalid ones from scanning
    return request


@fuzz(30)
@given(request=execute_rules_requests())
def test_execute_rules(client: SyncScanRulesClient, request: orchestration_service_pb2.ExecuteRulesRequest) -> None:
    response = expect_handled(client.orchestration.execute_rules, request)
    if isinstance(response, orchestration_service_pb2.ExecuteRulesResponse):
        job = response.scan_job
        assert not job.rule_set or job.name in [f"scanJobs/{j}" for j in SEED_JOBS]
        assert all("@" in r for r in job.rules), job.rules
        cancel_if_open(client, job)


@fuzz(30)
@given(name=names_of_jobs, reason=hostile_text, request_id=request_ids)
def test_get_cancel_retry_scan_job(client: SyncScanRulesClient, name: str, reason: str, request_id: str) -> None:
    o = orchestration_service_pb2
    expect_handled(client.orchestration.get_scan_job, o.GetScanJobRequest(name=name))
    expect_handled(client.orchestration.cancel_scan_job, o.CancelScanJobRequest(name=name, reason=reason))
    expect_handled(client.orchestration.retry_scan_job, o.RetryScanJobRequest(name=name, request_id=request_id))


WATCH_TIMEOUT = 3.0


def watch_handled(client: SyncScanRulesClient, name: str) -> list[orchestration_service_pb2.WatchScanJobResponse]:
    """Watches `name` for at most `WATCH_TIMEOUT` s. A hostile name ends the stream with an expected code; the
    deadline may cut the stream short only after its snapshot (a job still running)."""
    request = orchestration_service_pb2.WatchScanJobRequest(name=name)
    received: list[orchestration_service_pb2.WatchScanJobResponse] = []
    try:
        with client.orchestration.watch_scan_job(request, timeout=WATCH_TIMEOUT) as stream:
            received.extend(stream)
    except ScanRulesError as exc:
        if not (exc.code == grpc.StatusCode.DEADLINE_EXCEEDED and received):
            check_error(exc, request)
    if received:
        assert received[0].event_type == orchestration_service_pb2.WatchScanJobResponse.EVENT_TYPE_SNAPSHOT
    return received


@fuzz(25)
@given(name=names_of_jobs)
def test_watch_scan_job(client: SyncScanRulesClient, name: str) -> None:
    received = watch_handled(client, name)
    if name in [f"scanJobs/{j}" for j in SEED_JOBS]:  # finished: the snapshot, then the end
        assert len(received) == 1 and received[0].scan_job.state in TERMINAL_STATES


JOB_FILTERS = (
    'state = "SUCCEEDED"',
    'priority >= 5 AND rule_set = "ruleSets/fuzz-set@1"',
    'data_source = "dataSources/fuzz-db" AND NOT data_source != "dataSources/fuzz-pg"',
    'display_name = "x" OR state = STATE_RUNNING',
    'create_time > "2025-01-01T00:00:00Z" AND priority < 2147483648',
)
FINDING_FILTERS = (
    'classification = "EMAIL_ADDRESS" AND confidence > 0.5',
    'table = "customers" OR column = "pan"',
    'data_source = "dataSources/fuzz-db" AND rule = "rules/fuzz-email@1"',
    'verdict = "FEEDBACK_VERDICT_CONFIRMED" OR verdict = FEEDBACK_VERDICT_UNSPECIFIED',
    "confidence <= 1 AND NOT confidence < -9223372036854775808",
)
EXECUTION_FILTERS = ('status = "SUCCEEDED"', 'data_source = "dataSources/fuzz-db"', 'status != "FAILED" OR status = 3')
list_parents = st.one_of(st.sampled_from(("scanJobs/-", "scanJobs/fuzz-job", "scanJobs/fuzz-run")), names_of_jobs)


@fuzz(40)
@given(data=st.data())
def test_list_scan_jobs(client: SyncScanRulesClient, data: st.DataObject) -> None:
    real = first_token(client, "jobs")
    request = data.draw(
        st.one_of(
            st.builds(
                orchestration_service_pb2.ListScanJobsRequest,
                page_size=page_sizes,
                page_token=page_tokens(real),
                filter=filters(JOB_FILTERS),
                order_by=st.one_of(order_bys, st.sampled_from(("create_time desc", "priority", "state asc"))),
            ),
            messages(orchestration_service_pb2.ListScanJobsRequest),
        )
    )
    response = expect_handled(client.orchestration.list_scan_jobs, request)
    if isinstance(response, orchestration_service_pb2.ListScanJobsResponse):
        assert len(response.scan_jobs) <= 1000


@fuzz(40)
@given(data=st.data())
def test_list_findings(client: SyncScanRulesClient, data: st.DataObject) -> None:
    real = first_token(client, "findings")
    request = data.draw(
        st.one_of(
            st.builds(
                orchestration_service_pb2.ListFindingsRequest,
                parent=list_parents,
                page_size=page_sizes,
                page_token=page_tokens(real),
                filter=filters(FINDING_FILTERS),
                order_by=st.one_of(order_bys, st.sampled_from(("confidence desc", "table, column"))),
            ),
            messages(orchestration_service_pb2.ListFindingsRequest),
        )
    )
    response = expect_handled(client.orchestration.list_findings, request)
    if isinstance(response, orchestration_service_pb2.ListFindingsResponse):
        assert all(f.name.startswith("scanJobs/") for f in response.findings)


@fuzz(40)
@given(data=st.data())
def test_list_executions(client: SyncScanRulesClient, data: st.DataObject) -> None:
    real = first_token(client, "executions")
    request = data.draw(
        st.one_of(
            st.builds(
                orchestration_service_pb2.ListExecutionsRequest,
                parent=st.one_of(st.just("scanJobs/fuzz-job"), list_parents),
                page_size=page_sizes,
                page_token=page_tokens(real),
                filter=filters(EXECUTION_FILTERS),
                order_by=st.one_of(order_bys, st.sampled_from(("start_time desc", "status"))),
            ),
            messages(orchestration_service_pb2.ListExecutionsRequest),
        )
    )
    expect_handled(client.orchestration.list_executions, request)


@pytest.fixture(scope="module")
def children(client: SyncScanRulesClient) -> dict[str, list[str]]:
    """The real finding and execution names of the seeded jobs (their ids are random)."""
    o = orchestration_service_pb2
    findings = client.orchestration.list_findings(o.ListFindingsRequest(parent="scanJobs/-", page_size=1000))
    executions = client.orchestration.list_executions(o.ListExecutionsRequest(parent="scanJobs/fuzz-job"))
    out = {"findings": [f.name for f in findings.findings], "executions": [e.name for e in executions.executions]}
    assert out["findings"] and out["executions"], out
    return out


def child_names(real: list[str], collection: str) -> st.SearchStrategy[str]:
    """Real names, real names edited, names of the other collection, and garbage."""
    other = "executions" if collection == "findings" else "findings"
    return st.one_of(
        st.sampled_from(real),
        st.sampled_from(real).map(lambda n: n.replace(f"/{collection}/", f"/{other}/")),
        st.sampled_from(real).map(lambda n: n.replace("scanJobs/fuzz-job/", "scanJobs/fuzz-run/")),
        st.sampled_from(real).map(lambda n: n.replace("scanJobs/fuzz-job/", "scanJobs/-/")),
        st.tuples(st.sampled_from(real), hostile_text).map(lambda t: t[0] + t[1]),
        st.tuples(names_of_jobs, resource_ids).map(lambda t: f"{t[0]}/{collection}/{t[1]}"),
        st.sampled_from(
            (
                f"scanJobs/fuzz-job/{collection}/",
                f"scanJobs//{collection}/x",
                f"scanJobs/fuzz-job/{collection}/a/b",
                f"scanJobs/fuzz-job/{collection}",
                f"{collection}/x",
            )
        ),
        hostile_text,
    )


@fuzz(30)
@given(data=st.data())
def test_get_finding_and_execution(
    client: SyncScanRulesClient, children: dict[str, list[str]], data: st.DataObject
) -> None:
    o = orchestration_service_pb2
    finding = data.draw(child_names(children["findings"], "findings"))
    got = expect_handled(client.orchestration.get_finding, o.GetFindingRequest(name=finding))
    if finding in children["findings"]:
        assert isinstance(got, o.GetFindingResponse) and got.finding.name == finding
    execution = data.draw(child_names(children["executions"], "executions"))
    expect_handled(client.orchestration.get_execution, o.GetExecutionRequest(name=execution))


known_verdicts: st.SearchStrategy[Any] = st.sampled_from(
    (finding_pb2.FEEDBACK_VERDICT_CONFIRMED, finding_pb2.FEEDBACK_VERDICT_REJECTED)
)


@st.composite
def feedback_requests(draw: st.DrawFn, real: list[str]) -> orchestration_service_pb2.SubmitFindingFeedbackRequest:
    if draw(st.integers(0, 4)) == 0:
        return draw(messages(orchestration_service_pb2.SubmitFindingFeedbackRequest))
    return orchestration_service_pb2.SubmitFindingFeedbackRequest(
        name=draw(st.one_of(st.sampled_from(real), st.sampled_from(real), child_names(real, "findings"))),
        verdict=draw(st.one_of(known_verdicts, enum_values(finding_pb2.FeedbackVerdict))),
        reviewer=draw(st.one_of(st.just(""), short_text)),
        note=draw(
            st.one_of(
                short_text,
                hostile_text,
                st.sampled_from(("\x00" * 100_000, "🦄" * 250_000, "n" * 1_000_000)),
            )
        ),
    )


@fuzz(30)
@given(data=st.data())
def test_submit_finding_feedback(
    client: SyncScanRulesClient, children: dict[str, list[str]], data: st.DataObject
) -> None:
    request = data.draw(feedback_requests(children["findings"]))
    response = expect_handled(client.orchestration.submit_finding_feedback, request)
    if isinstance(response, orchestration_service_pb2.SubmitFindingFeedbackResponse):
        assert response.finding.verdict in (
            finding_pb2.FEEDBACK_VERDICT_CONFIRMED,
            finding_pb2.FEEDBACK_VERDICT_REJECTED,
        )
        assert response.finding.review_note == request.note


# ---- known hard cases, always run (random search may not reach them) ----------------------------------------


def _token(kind: str, client: SyncScanRulesClient, key: Any) -> str:
    real = first_token(client, kind)
    assert real, f"the seeded {kind} fill more than one page of size 1"
    data = json.loads(base64.urlsafe_b64decode(real + "=" * (-len(real) % 4)))
    data["k"] = key
    return _b64(json.dumps(data).encode())


HARD_TOKENS: dict[str, Callable[[str, SyncScanRulesClient], str]] = {
    "nested-arrays": lambda kind, c: _b64(b"[" * 100_000 + b"]" * 100_000),
    "nested-objects": lambda kind, c: _b64(b'{"k":' * 50_000),
    "huge-digits": lambda kind, c: _b64(b'{"k":' + b"9" * 5_000 + b',"f":""}'),
    "key-2**31": lambda kind, c: _token(kind, c, 2**31),
    "key-2**64": lambda kind, c: _token(kind, c, 2**64),
    "key--2**70": lambda kind, c: _token(kind, c, -(2**70)),
    "key-10**400": lambda kind, c: _token(kind, c, 10**400),
    "key-float": lambda kind, c: _token(kind, c, 1.5),
    "key-string": lambda kind, c: _token(kind, c, "1"),
}


def list_any(
    client: SyncScanRulesClient, kind: str, page_token: str = "", filter: str = ""
) -> Message | ScanRulesError:
    """One List call of `kind` (see `first_token`), through `expect_handled`."""
    o = orchestration_service_pb2
    if kind == "rules":
        return expect_handled(
            client.rules.list_rules, rule_service_pb2.ListRulesRequest(page_token=page_token, filter=filter)
        )
    if kind == "sources":
        return expect_handled(
            client.orchestration.list_data_sources, o.ListDataSourcesRequest(page_token=page_token, filter=filter)
        )
    if kind == "jobs":
        return expect_handled(
            client.orchestration.list_scan_jobs, o.ListScanJobsRequest(page_token=page_token, filter=filter)
        )
    if kind == "findings":
        return expect_handled(
            client.orchestration.list_findings,
            o.ListFindingsRequest(parent="scanJobs/-", page_token=page_token, filter=filter),
        )
    if kind == "executions":
        return expect_handled(
            client.orchestration.list_executions,
            o.ListExecutionsRequest(parent="scanJobs/fuzz-job", page_token=page_token, filter=filter),
        )
    assert kind == "audit", kind
    return expect_handled(
        client.monitoring.list_audit_events,
        monitoring_service_pb2.ListAuditEventsRequest(page_token=page_token, filter=filter),
    )


LIST_KINDS = ["rules", "sources", "audit", "jobs", "findings", "executions"]


@pytest.mark.parametrize("token", sorted(HARD_TOKENS))
@pytest.mark.parametrize("kind", LIST_KINDS)
def test_hostile_page_tokens(client: SyncScanRulesClient, kind: str, token: str) -> None:
    page_token = HARD_TOKENS[token](kind, client)
    outcome = list_any(client, kind, page_token=page_token)
    if token != "key-2**31":  # a well-formed token past every row is simply an empty page
        assert isinstance(outcome, ScanRulesError) and outcome.code == grpc.StatusCode.INVALID_ARGUMENT


HARD_FILTERS = {
    "not-chain": "NOT " * 3_000 + "{field} = 1",
    "parens": "(" * 5_000 + "{field} = 1" + ")" * 5_000,
    "huge-digits": "{field} > " + "9" * 5_000,
    "int-past-64-bits": "{field} > 99999999999999999999",
    "float-overflow": "{field} > 1e999",
    "negative-overflow": "{field} < -" + "9" * 400 + ".5",
    "many-unknown-fields": " OR ".join(f"unknown_{i} = 1" for i in range(3_000)),
    "long-string": '{field} = "' + "a" * 100_000 + '"',
    "nul": '{field} = "\u0000\x00"',
    "bad-timestamp": 'create_time > "2025-13-45T99:99:99Z"',
    "extreme-timestamp": 'create_time > "9999-12-31T23:59:59-14:00" OR create_time < "0001-01-01T00:00:00+14:00"',
}
NUMBER_FIELD = {
    "rules": "confidence_threshold",
    "sources": "kind",
    "audit": "principal",
    "jobs": "priority",
    "findings": "confidence",
    "executions": "status",  # no number field: a string field compared with numbers
}


@pytest.mark.parametrize("name", sorted(HARD_FILTERS))
@pytest.mark.parametrize("kind", LIST_KINDS)
def test_hostile_filters(client: SyncScanRulesClient, kind: str, name: str) -> None:
    list_any(client, kind, filter=HARD_FILTERS[name].replace("{field}", NUMBER_FIELD[kind]))


HARD_RULE_NAMES = (
    "rules/fuzz-email@2147483647",
    "rules/fuzz-email@2147483648",
    "rules/fuzz-email@9999999999",
    "rules/fuzz-email@9223372036854775808",
    "rules/fuzz-email@" + "9" * 5_000,
    "rules/" + "a" * 20_000,
    "rules/fuzz-email@1\x00",
)


@pytest.mark.parametrize("name", HARD_RULE_NAMES, ids=lambda n: n[:40])
def test_hostile_rule_names(client: SyncScanRulesClient, name: str) -> None:
    expect_handled(client.rules.get_rule, rule_service_pb2.GetRuleRequest(name=name))
    expect_handled(client.rules.list_rule_revisions, rule_service_pb2.ListRuleRevisionsRequest(name=name))
    expect_handled(client.rules.test_rule, rule_service_pb2.TestRuleRequest(name=name, values=["a@b.co"]))
    expect_handled(
        client.rules.create_rule_set,
        rule_service_pb2.CreateRuleSetRequest(
            rule_set_id="hard", rule_set=rule_set_pb2.RuleSet(rules=[name]), validate_only=True
        ),
    )


@pytest.mark.parametrize("uri", SAMPLE_URIS, ids=lambda u: u[:40])
def test_hostile_uris(client: SyncScanRulesClient, uri: str) -> None:
    for validate_only in (True, False):
        created = expect_handled(
            client.orchestration.create_data_source,
            orchestration_service_pb2.CreateDataSourceRequest(
                data_source_id="hard-uri",
                data_source=data_source_pb2.DataSource(uri=uri),
                validate_only=validate_only,
            ),
        )
        if isinstance(created, orchestration_service_pb2.CreateDataSourceResponse) and not validate_only:
            assert "s3cret" not in created.data_source.uri
            client.orchestration.delete_data_source(
                orchestration_service_pb2.DeleteDataSourceRequest(name=created.data_source.name)
            )


def test_errors_about_huge_inputs_still_arrive(client: SyncScanRulesClient) -> None:
    """An error that quotes a huge input, or lists thousands of problems, is cut to fit gRPC's metadata limit
    (the caller would otherwise see RESOURCE_EXHAUSTED, not the error)."""
    huge = "🦄" * 20_000
    for call, request in (
        (client.rules.get_rule, rule_service_pb2.GetRuleRequest(name=huge)),
        (client.rules.list_rules, rule_service_pb2.ListRulesRequest(order_by=huge)),
        (client.orchestration.get_data_source, orchestration_service_pb2.GetDataSourceRequest(name=huge)),
        (
            client.rules.create_rule_set,
            rule_service_pb2.CreateRuleSetRequest(
                rule_set_id="many", rule_set=rule_set_pb2.RuleSet(rules=[f"rules/missing-{i}" for i in range(500)])
            ),
        ),
        (
            client.orchestration.create_data_source,
            orchestration_service_pb2.CreateDataSourceRequest(
                data_source_id="globs",
                data_source=data_source_pb2.DataSource(uri="/tmp/x", include=["a.b.c.d"] * 2_000),
            ),
        ),
    ):
        outcome = expect_handled(call, request)
        assert isinstance(outcome, ScanRulesError) and outcome.code == grpc.StatusCode.INVALID_ARGUMENT
        assert len(outcome.message.encode()) <= 512


HARD_JOB_NAMES = (
    "scanJobs/-",
    "scanJobs/" + "a" * 20_000,
    "scanJobs/fuzz-job\x00",
    "scanJobs/fuzz-job/",
    "scanJobs/fuzz-job/findings/",
    "scanJobs/%",
    "scanJobs/_",
    "scanJobs/fuzz_job",  # LIKE wildcards must not match fuzz-job
    "scanJobs/FUZZ-JOB",
    "scanJobs/🦄",
)


@pytest.mark.parametrize("name", HARD_JOB_NAMES, ids=lambda n: n[:40])
def test_hostile_job_names(client: SyncScanRulesClient, name: str) -> None:
    o = orchestration_service_pb2
    for call, request in (
        (client.orchestration.get_scan_job, o.GetScanJobRequest(name=name)),
        (client.orchestration.cancel_scan_job, o.CancelScanJobRequest(name=name)),
        (client.orchestration.retry_scan_job, o.RetryScanJobRequest(name=name)),
        (client.orchestration.get_finding, o.GetFindingRequest(name=f"{name}/findings/x")),
        (client.orchestration.get_execution, o.GetExecutionRequest(name=f"{name}/executions/x")),
    ):
        outcome = expect_handled(call, request)
        assert isinstance(outcome, ScanRulesError), f"{type(request).__name__} of {name[:60]!r} succeeded"
    for listed in (
        expect_handled(client.orchestration.list_findings, o.ListFindingsRequest(parent=name)),
        expect_handled(client.orchestration.list_executions, o.ListExecutionsRequest(parent=name)),
    ):
        assert isinstance(listed, ScanRulesError) or name == "scanJobs/-"
    assert watch_handled(client, name) == []
    dependent = expect_handled(
        client.orchestration.create_scan_job,
        o.CreateScanJobRequest(
            scan_job=scan_job_pb2.ScanJob(
                rule_set="ruleSets/fuzz-set", data_sources=["dataSources/fuzz-db"], depends_on=[name]
            ),
            validate_only=True,
        ),
    )
    assert isinstance(dependent, ScanRulesError)


def test_list_every_jobs_executions(client: SyncScanRulesClient) -> None:
    """`scanJobs/-` lists the executions of every job, as the contract says (and as for findings)."""
    o = orchestration_service_pb2
    every = expect_handled(client.orchestration.list_executions, o.ListExecutionsRequest(parent="scanJobs/-"))
    assert isinstance(every, o.ListExecutionsResponse), every
    assert {e.name.split("/")[1] for e in every.executions} >= set(SEED_JOBS)


def _years(n: float) -> duration_pb2.Duration:
    return duration_pb2.Duration(seconds=int(n * 365.25 * 86_400))


#: Policies a real job must survive: the job ends (or waits, as asked), the orchestrator keeps scanning.
HARD_POLICIES: dict[str, rule_set_pb2.ScanPolicy] = {
    "retry-after-9000-years": rule_set_pb2.ScanPolicy(
        unit_timeout=duration_pb2.Duration(nanos=1),
        retry_policy=rule_set_pb2.RetryPolicy(max_attempts=2, initial_backoff=_years(9_000), max_backoff=_years(9_000)),
    ),
    "retry-after-max-duration": rule_set_pb2.ScanPolicy(
        unit_timeout=duration_pb2.Duration(nanos=1),
        retry_policy=rule_set_pb2.RetryPolicy(
            max_attempts=2,
            initial_backoff=duration_pb2.Duration(seconds=315_576_000_000, nanos=999_999_999),
            max_backoff=duration_pb2.Duration(seconds=315_576_000_000, nanos=999_999_999),
        ),
    ),
    "retry-after-2**62-seconds": rule_set_pb2.ScanPolicy(
        unit_timeout=duration_pb2.Duration(nanos=1),
        retry_policy=rule_set_pb2.RetryPolicy(
            max_attempts=2,
            initial_backoff=duration_pb2.Duration(seconds=2**62),
            max_backoff=duration_pb2.Duration(seconds=2**62),
        ),
    ),
    "retry-multiplier-nan": rule_set_pb2.ScanPolicy(
        unit_timeout=duration_pb2.Duration(nanos=1),
        retry_policy=rule_set_pb2.RetryPolicy(max_attempts=3, backoff_multiplier=float("nan")),
    ),
    "retry-multiplier-inf": rule_set_pb2.ScanPolicy(
        unit_timeout=duration_pb2.Duration(nanos=1),
        retry_policy=rule_set_pb2.RetryPolicy(max_attempts=3, backoff_multiplier=float("inf")),
    ),
    "negative-backoffs": rule_set_pb2.ScanPolicy(
        unit_timeout=duration_pb2.Duration(nanos=1),
        retry_policy=rule_set_pb2.RetryPolicy(
            max_attempts=2,
            initial_backoff=duration_pb2.Duration(seconds=-(2**62)),
            max_backoff=duration_pb2.Duration(seconds=-1),
        ),
    ),
    "negative-backoffs-multiplier-inf": rule_set_pb2.ScanPolicy(
        unit_timeout=duration_pb2.Duration(nanos=1),
        retry_policy=rule_set_pb2.RetryPolicy(
            max_attempts=3,
            initial_backoff=duration_pb2.Duration(seconds=-10),
            max_backoff=duration_pb2.Duration(seconds=-1),
            backoff_multiplier=float("inf"),
        ),
    ),
    "negative-unit-timeout": rule_set_pb2.ScanPolicy(unit_timeout=duration_pb2.Duration(seconds=-5)),
    "unit-timeout-int64-max": rule_set_pb2.ScanPolicy(
        unit_timeout=duration_pb2.Duration(seconds=2**63 - 1, nanos=999_999_999)
    ),
    "unit-timeout-nanos-out-of-range": rule_set_pb2.ScanPolicy(
        unit_timeout=duration_pb2.Duration(seconds=1, nanos=-(2**31))
    ),
    "huge-samples": rule_set_pb2.ScanPolicy(
        sampling_strategy=rule_set_pb2.SAMPLING_STRATEGY_RANDOM, sample_size=2**63 - 1, partition_rows=2**63 - 1
    ),
    "tiny-percent": rule_set_pb2.ScanPolicy(
        sampling_strategy=rule_set_pb2.SAMPLING_STRATEGY_PERCENT, sample_percent=5e-324
    ),
    "partition-rows-1": rule_set_pb2.ScanPolicy(
        partition_rows=1, sampling_strategy=rule_set_pb2.SAMPLING_STRATEGY_FULL
    ),
    "sampling-out-of-range": rule_set_pb2.ScanPolicy(sampling_strategy=2**31 - 1),  # type: ignore[arg-type]
    "priority-out-of-range": rule_set_pb2.ScanPolicy(priority=-(2**31)),
    "negative-partition-rows": rule_set_pb2.ScanPolicy(partition_rows=-(2**63)),
}


def wait_progress(client: SyncScanRulesClient, name: str, timeout: float = 20.0) -> scan_job_pb2.ScanJob:
    """Until the job ends or every unit's first attempt is recorded (fails on a hang). No attempt goes
    unrecorded: executions of attempt n > 1 never outnumber those of attempt n - 1."""
    deadline = time.monotonic() + timeout
    while True:
        job = client.orchestration.get_scan_job(orchestration_service_pb2.GetScanJobRequest(name=name)).scan_job
        request = orchestration_service_pb2.ListExecutionsRequest(parent=name, page_size=1000)
        executions = client.orchestration.list_executions(request).executions
        if job.state in TERMINAL_STATES or len(executions) >= job.units_total:
            attempts = Counter(e.attempt for e in executions)
            assert all(attempts[n] <= attempts[n - 1] for n in attempts if n > 1), f"{name}: lost attempts {attempts}"
            return job
        assert time.monotonic() < deadline, f"{name}: units unfinished after {timeout:g} s ({job})"
        time.sleep(0.1)


def assert_still_scans(client: SyncScanRulesClient) -> None:
    """The orchestrator still runs a fresh job to the end."""
    job = client.orchestration.execute_rules(
        orchestration_service_pb2.ExecuteRulesRequest(rules=["rules/fuzz-email"], data_sources=["dataSources/fuzz-db"])
    ).scan_job
    done = wait_terminal(client, job.name, timeout=30)
    assert done.state == scan_job_pb2.ScanJob.STATE_SUCCEEDED, done


@pytest.mark.parametrize("case", sorted(HARD_POLICIES))
def test_hostile_policies(client: SyncScanRulesClient, case: str) -> None:
    """Each policy as a job's override and as an ad hoc policy, validated, then (if accepted) run for real."""
    policy = HARD_POLICIES[case]
    o = orchestration_service_pb2
    spec = scan_job_pb2.ScanJob(
        rule_set="ruleSets/fuzz-set", data_sources=["dataSources/fuzz-db"], policy_override=policy
    )
    checked = expect_handled(
        client.orchestration.create_scan_job, o.CreateScanJobRequest(scan_job=spec, validate_only=True)
    )
    created = expect_handled(client.orchestration.create_scan_job, o.CreateScanJobRequest(scan_job=spec))
    assert isinstance(checked, ScanRulesError) == isinstance(created, ScanRulesError)
    ad_hoc = expect_handled(
        client.orchestration.execute_rules,
        o.ExecuteRulesRequest(rules=["rules/fuzz-email"], data_sources=["dataSources/fuzz-db"], policy=policy),
    )
    for reply in (created, ad_hoc):
        if isinstance(reply, (o.CreateScanJobResponse, o.ExecuteRulesResponse)):
            cancel_if_open(client, wait_progress(client, reply.scan_job.name))
    assert_still_scans(client)
