"""The blocking transport: the same semantics as `_aio`, on a plain `grpc.Channel` (no event loop)."""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from types import TracebackType
from typing import Any, ClassVar, Generic, TypeVar, cast

import grpc
from google.protobuf.message import Message

from ._common import Deadline, Metadata, serialize, with_request_id
from ._errors import DeadlineExceededError, UnavailableError, error_from_rpc
from ._retry import RetryPolicy

__all__ = ["ResponseStream", "SyncServiceClient", "SyncTransport", "wait_until_ready_sync"]

ResponseT = TypeVar("ResponseT", bound=Message)


class ResponseStream(Generic[ResponseT]):
    """The messages of a server-streaming call, as a blocking iterator.

    The call starts on the first ``__next__``; until its first message arrives, an UNAVAILABLE failure is
    retried per the client's `RetryPolicy`, never afterwards. Errors are raised as `ScanRulesError`
    subclasses. Use ``with`` (or call `cancel`) to stop watching early.
    """

    def __init__(self, start: Callable[[float | None], Any], retry: RetryPolicy, timeout: float | None) -> None:
        self._start = start
        self._retry = retry
        self._timeout = timeout
        self._deadline: Deadline | None = None
        self._call: Any = None
        self._attempt = 0
        self._received = False
        self._done = False

    def __iter__(self) -> ResponseStream[ResponseT]:
        return self

    def __next__(self) -> ResponseT:
        if self._done:
            raise StopIteration
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
                message = next(self._call)
            except StopIteration:
                self._done = True
                raise
            except grpc.RpcError as exc:
                error = error_from_rpc(exc)
                if not self._received:
                    delay = self._retry.delay_before_retry(self._attempt, error, self._deadline.remaining())
                    if delay is not None:
                        self._call = None
                        time.sleep(delay)
                        continue
                self._done = True
                raise error from exc
            self._received = True
            return cast(ResponseT, message)

    def cancel(self) -> None:
        """Cancels the call; further iteration stops."""
        self._done = True
        if self._call is not None:
            self._call.cancel()

    def close(self) -> None:
        """Same as `cancel`, for ``contextlib.closing``."""
        self.cancel()

    def __enter__(self) -> ResponseStream[ResponseT]:
        return self

    def __exit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        self.cancel()


class SyncTransport:
    """Calls methods on one `grpc.Channel` with the client's metadata, default deadline and retry policy."""

    def __init__(self, channel: grpc.Channel, *, metadata: Metadata, timeout: float | None, retry: RetryPolicy):
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

    def unary(self, path: str, request: Message, response_type: type[ResponseT], timeout: float | None) -> ResponseT:
        """Calls `path`, retrying UNAVAILABLE within the deadline (`timeout`, else the client's default)."""
        call = self._unary_callable(path, response_type)
        request = with_request_id(request)
        deadline = Deadline(self.timeout if timeout is None else timeout)
        attempt = 0
        while True:
            attempt += 1
            try:
                response = call(request, timeout=deadline.remaining(), metadata=self.metadata)
                return cast(ResponseT, response)
            except grpc.RpcError as exc:
                error, cause = error_from_rpc(exc), exc
                delay = self.retry.delay_before_retry(attempt, error, deadline.remaining())
                if delay is None:
                    raise error from exc
            time.sleep(delay)
            if deadline.expired():
                raise error from cause

    def stream(
        self, path: str, request: Message, response_type: type[ResponseT], timeout: float | None
    ) -> ResponseStream[ResponseT]:
        """A lazy server stream of `path`; `timeout` bounds the whole stream, None means no deadline."""
        multi_callable = self._stream_callable(path, response_type)

        def start(remaining: float | None) -> Any:
            return multi_callable(request, timeout=remaining, metadata=self.metadata)

        return ResponseStream(start, self.retry, timeout)


class SyncServiceClient:
    """Base of the blocking sub-clients: binds method names to the service's full name."""

    SERVICE: ClassVar[str]

    def __init__(self, transport: SyncTransport) -> None:
        self._transport = transport

    def _unary(self, method: str, request: Message, response_type: type[ResponseT], timeout: float | None) -> ResponseT:
        return self._transport.unary(f"/{self.SERVICE}/{method}", request, response_type, timeout)

    def _stream(
        self, method: str, request: Message, response_type: type[ResponseT], timeout: float | None
    ) -> ResponseStream[ResponseT]:
        return self._transport.stream(f"/{self.SERVICE}/{method}", request, response_type, timeout)


def wait_until_ready_sync(channel: grpc.Channel, target: str, timeout: float) -> None:
    """Returns once `channel` is READY; raises `UnavailableError` when a connection attempt fails or on timeout."""
    settled = threading.Event()
    states: list[Any] = []
    final = (
        grpc.ChannelConnectivity.READY,
        grpc.ChannelConnectivity.TRANSIENT_FAILURE,
        grpc.ChannelConnectivity.SHUTDOWN,
    )

    def on_change(state: Any) -> None:
        if state in final:
            states.append(state)
            settled.set()

    channel.subscribe(on_change, try_to_connect=True)
    try:
        if not settled.wait(timeout):
            raise UnavailableError(f"cannot connect to {target}: not ready within {timeout:g}s")
    finally:
        channel.unsubscribe(on_change)
    if states[0] != grpc.ChannelConnectivity.READY:
        raise UnavailableError(f"cannot connect to {target}: connection failed")
