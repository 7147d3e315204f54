"""Per-principal token-bucket rate limit: RESOURCE_EXHAUSTED with `google.rpc.RetryInfo` when exceeded.

Each principal has a bucket of `burst` tokens refilled at `rate` tokens a second; every call takes one.
The principal is the authenticated one (`principal.current_principal`) when an interceptor before this
one set it, else a hash of the `authorization` metadata, else the peer's address. Health checks and
reflection are exempt.
"""

from __future__ import annotations

import hashlib
import inspect
import logging
import time
from collections import OrderedDict
from collections.abc import AsyncIterator, Awaitable, Callable
from typing import Any

import grpc

from .errors import abort_with, rich_status
from .principal import ANONYMOUS, current_principal

log = logging.getLogger("scanrules.api")

#: Method prefixes never rate limited.
EXEMPT_PREFIXES = (
    "/grpc.health.v1.Health/",
    "/grpc.reflection.v1alpha.ServerReflection/",
    "/grpc.reflection.v1.ServerReflection/",
)
#: Buckets kept at most; past this, the least recently used ones are forgotten (a forgotten bucket is full).
MAX_PRINCIPALS = 100_000


class TokenBuckets:
    """One token bucket per key. Not thread-safe: used from the server's event loop only."""

    def __init__(
        self,
        rate: float,
        burst: int,
        *,
        max_keys: int = MAX_PRINCIPALS,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        if rate <= 0 or burst < 1:
            raise ValueError("rate must be positive and burst at least 1")
        self.rate = float(rate)
        self.burst = float(burst)
        self.max_keys = max_keys
        self.clock = clock
        self._buckets: OrderedDict[str, tuple[float, float]] = OrderedDict()  # key -> (tokens, at)

    def take(self, key: str) -> float:
        """Take a token for `key`: 0.0 when there was one, else the seconds until there will be."""
        now = self.clock()
        tokens, at = self._buckets.pop(key, (self.burst, now))
        tokens = min(self.burst, tokens + (now - at) * self.rate)
        wait = 0.0
        if tokens >= 1.0:
            tokens -= 1.0
        else:
            wait = (1.0 - tokens) / self.rate
        self._buckets[key] = (tokens, now)
        while len(self._buckets) > self.max_keys:
            self._buckets.popitem(last=False)
        return wait


def _peer_host(peer: str) -> str:
    """`ipv4:10.0.0.1:5123` -> `ipv4:10.0.0.1`; `ipv6:[::1]:5123` -> `ipv6:[::1]`: the port changes per connection."""
    kind, _, address = peer.partition(":")
    if kind in ("ipv4", "ipv6") and address.rfind(":") > address.rfind("]"):
        address = address[: address.rfind(":")]
    return f"{kind}:{address}"


def principal_key(context: grpc.aio.ServicerContext[Any, Any]) -> str:
    principal = current_principal.get()
    if principal != ANONYMOUS:
        return f"principal:{principal}"
    for key, value in context.invocation_metadata() or ():
        if key == "authorization" and value:
            raw = value if isinstance(value, bytes) else str(value).encode()
            return "authorization:" + hashlib.sha256(raw).hexdigest()
    return "peer:" + _peer_host(context.peer() or "unknown")


class RateLimitInterceptor(grpc.aio.ServerInterceptor):  # type: ignore[misc]
    """Rate limits unary and server-streaming calls (a stream costs one token when it starts).

    Place it after the authentication interceptor, so the authenticated principal is known.
    """

    def __init__(self, rate: float, burst: int, *, clock: Callable[[], float] = time.monotonic) -> None:
        self.buckets = TokenBuckets(rate, burst, clock=clock)

    async def _check(self, context: grpc.aio.ServicerContext[Any, Any], method: str) -> None:
        key = principal_key(context)
        wait = self.buckets.take(key)
        if wait > 0:
            b = self.buckets
            log.info("rpc=%s outcome=RESOURCE_EXHAUSTED reason=RATE_LIMITED retry_after=%.3f", method, wait)
            await abort_with(
                context,
                rich_status(
                    grpc.StatusCode.RESOURCE_EXHAUSTED,
                    f"rate limit exceeded ({b.rate:g} calls a second, bursts of {b.burst:g}); retry in {wait:.2f} s",
                    "RATE_LIMITED",
                    {"limit_per_second": f"{b.rate:g}", "burst": f"{b.burst:g}"},
                    retry_delay=wait,
                ),
            )

    async def intercept_service(
        self,
        continuation: Callable[[grpc.HandlerCallDetails], Awaitable[grpc.RpcMethodHandler]],
        handler_call_details: grpc.HandlerCallDetails,
    ) -> grpc.RpcMethodHandler:
        handler = await continuation(handler_call_details)
        method: str = handler_call_details.method
        if handler is None or method.startswith(EXEMPT_PREFIXES):
            return handler
        if handler.unary_unary is not None:
            inner = handler.unary_unary

            async def unary(request: Any, context: grpc.aio.ServicerContext[Any, Any]) -> Any:
                await self._check(context, method)
                result = inner(request, context)
                return await result if inspect.isawaitable(result) else result

            return grpc.unary_unary_rpc_method_handler(
                unary,
                request_deserializer=handler.request_deserializer,
                response_serializer=handler.response_serializer,
            )
        if handler.unary_stream is not None:
            inner_stream = handler.unary_stream

            async def stream(request: Any, context: grpc.aio.ServicerContext[Any, Any]) -> AsyncIterator[Any]:
                await self._check(context, method)
                result = inner_stream(request, context)
                if hasattr(result, "__aiter__"):
                    async for item in result:
                        yield item
                else:
                    await result

            return grpc.unary_stream_rpc_method_handler(
                stream,
                request_deserializer=handler.request_deserializer,
                response_serializer=handler.response_serializer,
            )
        return handler
