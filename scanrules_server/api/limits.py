"""Request limits: sizes checked in the servicers, time limits enforced by an interceptor.

Every limit has a default here, a `Settings` field to change it, and a row in docs/security.md.
Size limits answer INVALID_ARGUMENT with a field violation; time limits answer DEADLINE_EXCEEDED.
"""

from __future__ import annotations

import asyncio
import inspect
from collections.abc import AsyncIterator, Awaitable, Callable, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import grpc

from ..domain import ast
from ..domain.errors import InvalidArgumentError, RuleError, Violation
from ..domain.parser import parse_rule
from .errors import abort_with, rich_status

if TYPE_CHECKING:
    from ..settings import Settings

#: Characters in one rule expression.
MAX_EXPRESSION_CHARS = 20_000
#: Characters in one regex literal of a rule, and in a pattern's regex and exclusions.
MAX_REGEX_CHARS = 4_096
#: Rules pinned by one rule set.
MAX_RULES_PER_RULE_SET = 5_000
#: Seconds a server-streaming (`Watch*`) call may stay open; 0 disables.
MAX_STREAM_SECONDS = 3_600.0
#: Deadline, in seconds, of a unary call whose client set none; 0 disables.
DEFAULT_DEADLINE_SECONDS = 60.0


@dataclass(frozen=True)
class Limits:
    max_expression_chars: int = MAX_EXPRESSION_CHARS
    max_regex_chars: int = MAX_REGEX_CHARS
    max_rules_per_rule_set: int = MAX_RULES_PER_RULE_SET
    max_stream_seconds: float = MAX_STREAM_SECONDS
    default_deadline_seconds: float = DEFAULT_DEADLINE_SECONDS

    @classmethod
    def from_settings(cls, settings: Settings) -> Limits:
        return cls(
            max_expression_chars=settings.max_expression_chars,
            max_regex_chars=settings.max_regex_chars,
            max_rules_per_rule_set=settings.max_rules_per_rule_set,
            max_stream_seconds=settings.max_stream_seconds,
            default_deadline_seconds=settings.default_deadline_seconds,
        )

    # ---- sizes, checked by the servicers before any work ----------------------

    def check_expression(self, expression: str, field: str = "rule.expression") -> None:
        """Expression length, then the length of each regex literal in it (RuleError naming its position).

        An expression that does not parse passes: the rule check reports its syntax error.
        """
        if len(expression) > self.max_expression_chars:
            raise RuleError(
                [
                    Violation(
                        field,
                        f"at most {self.max_expression_chars:,} characters (this one has {len(expression):,})",
                    )
                ],
                reason_code="EXPRESSION_TOO_LONG",
            )
        if len(expression) <= self.max_regex_chars:
            return  # no regex literal inside can be longer than the whole text
        try:
            parsed = parse_rule(expression)
        except RuleError:
            return
        problems = [
            Violation(
                field,
                f"the regex starting here has {len(regex.source):,} characters; at most {self.max_regex_chars:,}",
                regex.line,
                regex.column,
            )
            for regex in _regexes(parsed)
            if len(regex.source) > self.max_regex_chars
        ]
        if problems:
            raise RuleError(problems, reason_code="REGEX_TOO_LONG")

    def check_pattern_regexes(self, regex: str, exclusions: Sequence[str]) -> None:
        """A pattern's regex and exclusions against the regex length limit."""
        named = [("pattern.regex", regex), *((f"pattern.exclusions[{i}]", e) for i, e in enumerate(exclusions))]
        problems = [
            Violation(field, f"at most {self.max_regex_chars:,} characters (this one has {len(text):,})")
            for field, text in named
            if len(text) > self.max_regex_chars
        ]
        if problems:
            raise InvalidArgumentError(problems, reason_code="REGEX_TOO_LONG")

    def check_rule_count(self, rules: Sequence[str], field: str = "rule_set.rules") -> None:
        if len(rules) > self.max_rules_per_rule_set:
            raise InvalidArgumentError(
                [Violation(field, f"at most {self.max_rules_per_rule_set:,} rules (this one has {len(rules):,})")],
                reason_code="TOO_MANY_RULES",
            )


def _regexes(rule: ast.RuleAst) -> list[ast.Regex]:
    found = []
    for clause in (rule.match, rule.evidence, rule.when):
        for node in ast.walk(clause):
            regex = getattr(node, "regex", None)
            if isinstance(regex, ast.Regex):
                found.append(regex)
    return found


# ---- time limits ------------------------------------------------------------------


class LimitsInterceptor(grpc.aio.ServerInterceptor):  # type: ignore[misc]
    """Time limits for every RPC.

    * A unary call whose client set no deadline gets `default_deadline_seconds`; when it passes, the handler
      is cancelled (its transaction rolls back) and the call ends DEADLINE_EXCEEDED. A client deadline, shorter
      or longer, is left to gRPC.
    * A server-streaming call ends DEADLINE_EXCEEDED after `max_stream_seconds`, whatever the client asked;
      the handler's generator is closed, so its `finally` cleans up. Watch again to continue.
    """

    def __init__(self, limits: Limits) -> None:
        self.limits = limits

    async def intercept_service(
        self,
        continuation: Callable[[grpc.HandlerCallDetails], Awaitable[grpc.RpcMethodHandler]],
        handler_call_details: grpc.HandlerCallDetails,
    ) -> grpc.RpcMethodHandler:
        handler = await continuation(handler_call_details)
        if handler is None:
            return handler
        if handler.unary_unary is not None and self.limits.default_deadline_seconds > 0:
            return grpc.unary_unary_rpc_method_handler(
                self._unary(handler.unary_unary),
                request_deserializer=handler.request_deserializer,
                response_serializer=handler.response_serializer,
            )
        if handler.unary_stream is not None and self.limits.max_stream_seconds > 0:
            return grpc.unary_stream_rpc_method_handler(
                self._stream(handler.unary_stream),
                request_deserializer=handler.request_deserializer,
                response_serializer=handler.response_serializer,
            )
        return handler

    def _unary(self, inner: Callable[..., Any]) -> Callable[..., Awaitable[Any]]:
        limit = self.limits.default_deadline_seconds

        async def unary(request: Any, context: grpc.aio.ServicerContext[Any, Any]) -> Any:
            result = inner(request, context)
            if not inspect.isawaitable(result):  # a sync handler has already answered
                return result
            if context.time_remaining() is not None:  # the client set a deadline; gRPC enforces it
                return await result
            try:
                async with asyncio.timeout(limit) as timeout:
                    return await result
            except TimeoutError:
                if not timeout.expired():
                    raise
            await abort_with(
                context,
                rich_status(
                    grpc.StatusCode.DEADLINE_EXCEEDED,
                    f"no answer within the server's default deadline of {limit:g} s"
                    " (the call set no deadline of its own)",
                    "DEADLINE_EXCEEDED",
                    {"limit_seconds": f"{limit:g}"},
                ),
            )

        return unary

    def _stream(self, inner: Callable[..., Any]) -> Callable[..., AsyncIterator[Any]]:
        limit = self.limits.max_stream_seconds

        async def stream(request: Any, context: grpc.aio.ServicerContext[Any, Any]) -> AsyncIterator[Any]:
            loop = asyncio.get_running_loop()
            deadline = loop.time() + limit
            result = inner(request, context)
            expired = False
            if not hasattr(result, "__aiter__"):  # a handler that writes with context.write()
                try:
                    async with asyncio.timeout_at(deadline) as timeout:
                        await result
                except TimeoutError:
                    if not timeout.expired():
                        raise
                    expired = True
            else:
                items = result.__aiter__()
                try:
                    while True:
                        # Never time a `yield`: the consumer runs in this task and must not be cancelled.
                        if loop.time() >= deadline:
                            expired = True
                            break
                        try:
                            async with asyncio.timeout_at(deadline) as timeout:
                                item = await items.__anext__()
                        except StopAsyncIteration:
                            break
                        except TimeoutError:
                            if not timeout.expired():
                                raise
                            expired = True
                            break
                        yield item
                finally:
                    close = getattr(items, "aclose", None)
                    if close is not None:
                        await close()
            if expired:
                await abort_with(
                    context,
                    rich_status(
                        grpc.StatusCode.DEADLINE_EXCEEDED,
                        f"stream closed after the server's limit of {limit:g} s; start a new one to continue",
                        "STREAM_DURATION_EXCEEDED",
                        {"limit_seconds": f"{limit:g}"},
                    ),
                )

        return stream
