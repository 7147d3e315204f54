"""`SyncScanRulesClient`: the blocking twin of `ScanRulesClient`, on a plain `grpc.Channel` (no event loop)."""

from __future__ import annotations

from types import TracebackType

import grpc

from ._client import PathLike, pick_credentials
from ._common import (
    DEFAULT_CONNECT_TIMEOUT,
    DEFAULT_TIMEOUT,
    ChannelOptions,
    call_metadata,
    channel_options,
    resolve_token,
)
from ._retry import DEFAULT_RETRY, RetryPolicy
from ._sync_services import SyncMonitoringClient, SyncOrchestrationClient, SyncRulesClient
from ._sync_transport import SyncTransport, wait_until_ready_sync

__all__ = ["SyncScanRulesClient"]


class SyncScanRulesClient:
    """Blocking client of the scanrules API, with the same surface as `ScanRulesClient`::

        with SyncScanRulesClient.connect("127.0.0.1:50051") as client:
            for rule in client.rules.iter_rules(filter='classification = "EMAIL_ADDRESS"'):
                print(rule.name)

    Thread-safe: one client can serve many threads.
    """

    def __init__(
        self,
        channel: grpc.Channel,
        *,
        token: str | None = None,
        timeout: float | None = DEFAULT_TIMEOUT,
        retry: RetryPolicy | None = None,
        target: str = "",
    ) -> None:
        """Wraps an existing `grpc.Channel`, which the client then owns (`close` closes it).

        Most callers use `connect` instead. `token` defaults to ``$SCANRULES_TOKEN``; `timeout` is the default
        deadline of each unary call in seconds (None: no deadline); `retry` defaults to ``RetryPolicy()``.
        """
        self.target = target
        self._channel = channel
        self._transport = SyncTransport(
            channel,
            metadata=call_metadata(resolve_token(token)),
            timeout=timeout,
            retry=retry if retry is not None else DEFAULT_RETRY,
        )
        self.rules = SyncRulesClient(self._transport)
        self.orchestration = SyncOrchestrationClient(self._transport)
        self.monitoring = SyncMonitoringClient(self._transport)

    @classmethod
    def connect(
        cls,
        target: str,
        *,
        credentials: grpc.ChannelCredentials | None = None,
        token: str | None = None,
        timeout: float | None = DEFAULT_TIMEOUT,
        retry: RetryPolicy | None = None,
        options: ChannelOptions = (),
        connect_timeout: float = DEFAULT_CONNECT_TIMEOUT,
        tls_ca_file: PathLike | None = None,
        tls_cert_file: PathLike | None = None,
        tls_key_file: PathLike | None = None,
    ) -> SyncScanRulesClient:
        """Opens a channel to `target` and waits until it is ready; arguments as `ScanRulesClient.connect`.

        Raises:
            UnavailableError: the first connection attempt failed, or the channel was not ready in time.
            ValueError: `credentials` and TLS files together, or a client certificate without its key.
            OSError: a TLS file cannot be read.
        """
        credentials = pick_credentials(credentials, tls_ca_file, tls_cert_file, tls_key_file)
        merged = channel_options(options)
        if credentials is None:
            channel = grpc.insecure_channel(target, options=merged)
        else:
            channel = grpc.secure_channel(target, credentials, options=merged)
        try:
            wait_until_ready_sync(channel, target, connect_timeout)
        except BaseException:
            channel.close()
            raise
        return cls(channel, token=token, timeout=timeout, retry=retry, target=target)

    @property
    def channel(self) -> grpc.Channel:
        """The underlying channel, e.g. for health checks or reflection stubs."""
        return self._channel

    def close(self) -> None:
        """Closes the channel, cancelling calls in flight."""
        self._channel.close()

    def __enter__(self) -> SyncScanRulesClient:
        return self

    def __exit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        self.close()

    def __repr__(self) -> str:
        return f"SyncScanRulesClient(target={self.target!r})"
