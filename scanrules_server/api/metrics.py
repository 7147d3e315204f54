"""Prometheus metrics for every RPC: calls by code, latency histogram, in-flight gauge."""

from __future__ import annotations

import inspect
import logging
import time
from collections.abc import AsyncIterator, Awaitable, Callable
from typing import Any

import grpc
from prometheus_client import CollectorRegistry, Counter, Gauge, Histogram

log = logging.getLogger("scanrules.rpc")


class RpcMetrics:
    def __init__(self, registry: CollectorRegistry | None = None) -> None:
        self.registry = registry or CollectorRegistry()
        self.calls = Counter(
            "scanrules_rpc_calls", "RPCs handled, by method and status code", ("method", "code"), registry=self.registry
        )
        self.latency = Histogram(
            "scanrules_rpc_latency_seconds",
            "RPC handling time",
            ("method",),
            buckets=(0.001, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30),
            registry=self.registry,
        )
        self.in_flight = Gauge("scanrules_rpc_in_flight", "RPCs being handled", ("method",), registry=self.registry)


def _code(context: grpc.aio.ServicerContext[Any, Any], default: str) -> str:
    code = context.code() if hasattr(context, "code") else None
    if isinstance(code, grpc.StatusCode):
        return str(code.name)
    return default


class MetricsInterceptor(grpc.aio.ServerInterceptor):  # type: ignore[misc]
    def __init__(self, metrics: RpcMetrics) -> None:
        self.metrics = metrics

    async def intercept_service(
        self,
        continuation: Callable[[grpc.HandlerCallDetails], Awaitable[grpc.RpcMethodHandler]],
        handler_call_details: grpc.HandlerCallDetails,
    ) -> grpc.RpcMethodHandler:
        handler = await continuation(handler_call_details)
        if handler is None:
            return handler
        method = handler_call_details.method
        m = self.metrics
        if handler.unary_unary is not None:
            inner = handler.unary_unary

            async def unary(request: Any, context: grpc.aio.ServicerContext[Any, Any]) -> Any:
                m.in_flight.labels(method).inc()
                started, code = time.perf_counter(), "OK"
                try:
                    result = inner(request, context)
                    # Sync handlers (e.g. third-party servicers) return the response itself.
                    return await result if inspect.isawaitable(result) else result
                except BaseException:
                    code = _code(context, "UNKNOWN")
                    raise
                finally:
                    elapsed = time.perf_counter() - started
                    m.in_flight.labels(method).dec()
                    m.latency.labels(method).observe(elapsed)
                    m.calls.labels(method, code).inc()
                    log.info("rpc=%s code=%s ms=%.1f", method, code, elapsed * 1000)

            return grpc.unary_unary_rpc_method_handler(
                unary,
                request_deserializer=handler.request_deserializer,
                response_serializer=handler.response_serializer,
            )
        if handler.unary_stream is not None:
            inner_stream = handler.unary_stream

            async def stream(request: Any, context: grpc.aio.ServicerContext[Any, Any]) -> AsyncIterator[Any]:
                m.in_flight.labels(method).inc()
                started, code = time.perf_counter(), "OK"
                try:
                    result = inner_stream(request, context)
                    if hasattr(result, "__aiter__"):
                        async for item in result:
                            yield item
                    else:
                        await result
                except BaseException:
                    code = _code(context, "UNKNOWN")
                    raise
                finally:
                    elapsed = time.perf_counter() - started
                    m.in_flight.labels(method).dec()
                    m.latency.labels(method).observe(elapsed)
                    m.calls.labels(method, code).inc()
                    log.info("rpc=%s code=%s ms=%.1f stream=true", method, code, elapsed * 1000)

            return grpc.unary_stream_rpc_method_handler(
                stream,
                request_deserializer=handler.request_deserializer,
                response_serializer=handler.response_serializer,
            )
        return handler
