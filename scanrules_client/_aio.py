"""The async transport: unary calls with retries and deadlines, lazy server streams, channel readiness."""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from types import TracebackType
from typing import Any, ClassVar, Generic, TypeVar, cast

import grpc
from google.protobuf.message import Message

from ._common import Deadline, Metadata, serialize, with_request_id
from ._errors import DeadlineExceededError, UnavailableError, error_from_rpc
from ._retry import RetryPolicy

__all__ = ["AsyncResponseStream", "AsyncServiceClient", "AsyncTransport", "wait_until_ready"]

ResponseT = TypeVar("ResponseT", bound=Message)


class AsyncResponseStream(Generic[ResponseT]):
    """The messages of a server-streaming call, as an async iterator.

    The call starts on the first ``__anext__``; until its first message arrives, an UNAVAILABLE failure is
    retried per the client's `RetryPolicy`, never afterwards. Errors are raised as `ScanRulesError`
    subclasses. Use ``async with`` (or call `cancel`) to stop watching early::

        async with client.orchestration.watch_scan_job(request) as events:
            async for event in events:
                ...
    """

    def __init__(
        self,
        start: Callable[[float | None], Any],
        retry: RetryPolicy,
        timeout: float | None,
    ) -> None:
        self._start = start
        self._retry = retry
        self._timeout = timeout
        self._deadline: Deadline | None = None
        self._call: Any = None
        self._attempt = 0
        self._received = False
        self._done = False

    def __aiter__(self) -> AsyncResponseStream[ResponseT]:
        return self

    async def __anext__(self) -> ResponseT:
        if self._done:
            raise StopAsyncIteration
        if self._deadline is None:
            self._deadline = Deadline(self._timeout)
        while True:
            if self._call is None:
                if self._deadline.expired():
                    self._done = True
                    raise DeadlineExceededError("deadline exceeded before the stream started")
                self._attempt += 1
                self._call = self._start(self._deadline.remaining())
            try:
                message = await self._call.read()
            except grpc.aio.AioRpcError as exc:
                error = error_from_rpc(exc)
                if not self._received:
                    delay = self._retry.delay_before_retry(self._attempt, error, self._deadline.remaining())
                    if delay is not None:
                        self._call = None
                        await asyncio.sleep(delay)
                        continue
                self._done = True
                raise error from exc
            if message is grpc.aio.EOF:
                self._done = True
                raise StopAsyncIteration
            self._received = True
            return cast(ResponseT, message)

    def cancel(self) -> None:
        """Cancels the call; further iteration stops."""
        self._done = True
        if self._call is not None:
            self._call.cancel()

    async def aclose(self) -> None:
        """Same as `cancel`, for ``contextlib.aclosing`` and friends."""
        self.cancel()

    async def __aenter__(self) -> AsyncResponseStream[ResponseT]:
        return self

    async def __aexit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        self.cancel()


class AsyncTransport:
    """Calls methods on one `grpc.aio.Channel` with the client's metadata, default deadline and retry policy."""

    def __init__(self, channel: grpc.aio.Channel, *, metadata: Metadata, timeout: float | None, retry: RetryPolicy):
        self.channel = channel
        self.metadata = metadata
        self.timeout = timeout
        self.retry = retry
        self._unary_callables: dict[str, Any] = {}
        self._stream_callables: dict[str, Any] = {}

    def _unary_callable(self, path: str, response_type: type[Message]) -> Any:
        callable_ = self._unary_callables.get(path)
        if callable_ is None:
            callable_ = self.channel.unary_unary(
                path, request_serializer=serialize, response_deserializer=response_type.FromString
            )
            self._unary_callables[path] = callable_
        return callable_

    def _stream_callable(self, path: str, response_type: type[Message]) -> Any:
        callable_ = self._stream_callables.get(path)
        if callable_ is None:
            callable_ = self.channel.unary_stream(
                path, request_serializer=serialize, response_deserializer=response_type.FromString
            )
            self._stream_callables[path] = callable_
        return callable_

    async def unary(
        self, path: str, request: Message, response_type: type[ResponseT], timeout: float | None
    ) -> ResponseT:
        """Calls `path`, retrying UNAVAILABLE within the deadline (`timeout`, else the client's default)."""
        call = self._unary_callable(path, response_type)
        request = with_request_id(request)
        deadline = Deadline(self.timeout if timeout is None else timeout)
        attempt = 0
        while True:
            attempt += 1
            try:
                response = await call(request, timeout=deadline.remaining(), metadata=self.metadata)
                return cast(ResponseT, response)
            except grpc.aio.AioRpcError as exc:
                error, cause = error_from_rpc(exc), exc
                delay = self.retry.delay_before_retry(attempt, error, deadline.remaining())
                if delay is None:
                    raise error from exc
            await asyncio.sleep(delay)
            if deadline.expired():
                raise error from cause

    def stream(
        self, path: str, request: Message, response_type: type[ResponseT], timeout: float | None
    ) -> AsyncResponseStream[ResponseT]:
        """A lazy server stream of `path`; `timeout` bounds the whole stream, None means no deadline."""
        multi_callable = self._stream_callable(path, response_type)

        def start(remaining: float | None) -> Any:
            return multi_callable(request, timeout=remaining, metadata=self.metadata)

        return AsyncResponseStream(start, self.retry, timeout)


class AsyncServiceClient:
    """Base of the async sub-clients: binds method names to the service's full name."""

    SERVICE: ClassVar[str]

    def __init__(self, transport: AsyncTransport) -> None:
        self._transport = transport

    async def _unary(
        self, method: str, request: Message, response_type: type[ResponseT], timeout: float | None
    ) -> ResponseT:
        return await self._transport.unary(f"/{self.SERVICE}/{method}", request, response_type, timeout)

    def _stream(
        self, method: str, request: Message, response_type: type[ResponseT], timeout: float | None
    ) -> AsyncResponseStream[ResponseT]:
        return self._transport.stream(f"/{self.SERVICE}/{method}", request, response_type, timeout)


async def wait_until_ready(channel: grpc.aio.Channel, target: str, timeout: float) -> None:
    """Returns once `channel` is READY; raises `UnavailableError` when a connection attempt fails or on timeout."""
    try:
        async with asyncio.timeout(timeout):
            state = channel.get_state(try_to_connect=True)
            while state != grpc.ChannelConnectivity.READY:
                if state in (grpc.ChannelConnectivity.TRANSIENT_FAILURE, grpc.ChannelConnectivity.SHUTDOWN):
                    raise UnavailableError(f"cannot connect to {target}: connection failed")
                await channel.wait_for_state_change(state)
                state = channel.get_state(try_to_connect=True)
    except TimeoutError:
        raise UnavailableError(f"cannot connect to {target}: not ready within {timeout:g}s") from None
