"""`ScanRulesClient`: the async entry point, one `grpc.aio` channel shared by the three sub-clients."""

from __future__ import annotations

import os
from collections.abc import Callable, Coroutine, Generator
from pathlib import Path
from types import TracebackType
from typing import Any

import grpc

from ._aio import AsyncTransport, wait_until_ready
from ._common import (
    DEFAULT_CONNECT_TIMEOUT,
    DEFAULT_TIMEOUT,
    ChannelOptions,
    call_metadata,
    channel_options,
    resolve_token,
)
from ._retry import DEFAULT_RETRY, RetryPolicy
from ._services import MonitoringClient, OrchestrationClient, RulesClient

__all__ = ["ScanRulesClient"]

PathLike = str | os.PathLike[str]


def tls_channel_credentials(
    ca_file: PathLike | None = None, cert_file: PathLike | None = None, key_file: PathLike | None = None
) -> grpc.ChannelCredentials | None:
    """TLS credentials from PEM files: `ca_file` (default: the system roots) and, for mutual TLS, the client's
    `cert_file` with its `key_file`. None when no file is given."""
    if ca_file is None and cert_file is None and key_file is None:
        return None
    if (cert_file is None) != (key_file is None):
        raise ValueError("a client certificate needs its key: give both tls_cert_file and tls_key_file")
    return grpc.ssl_channel_credentials(
        root_certificates=Path(ca_file).read_bytes() if ca_file is not None else None,
        private_key=Path(key_file).read_bytes() if key_file is not None else None,
        certificate_chain=Path(cert_file).read_bytes() if cert_file is not None else None,
    )


def pick_credentials(
    credentials: grpc.ChannelCredentials | None,
    ca_file: PathLike | None,
    cert_file: PathLike | None,
    key_file: PathLike | None,
) -> grpc.ChannelCredentials | None:
    from_files = tls_channel_credentials(ca_file, cert_file, key_file)
    if from_files is not None and credentials is not None:
        raise ValueError("give either credentials or tls_ca_file/tls_cert_file/tls_key_file, not both")
    return from_files if from_files is not None else credentials


class ScanRulesClient:
    """Async client of the scanrules API.

    Connect with ``await ScanRulesClient.connect(target)``, or use it as an async context manager (which
    closes the channel on exit)::

        async with ScanRulesClient.connect("127.0.0.1:50051", token="…") as client:
            rule = (await client.rules.get_rule(GetRuleRequest(name="rules/email"))).rule

    The RPCs live on the sub-clients `rules` (RuleService), `orchestration` (OrchestrationService) and
    `monitoring` (MonitoringService).
    """

    def __init__(
        self,
        channel: grpc.aio.Channel,
        *,
        token: str | None = None,
        timeout: float | None = DEFAULT_TIMEOUT,
        retry: RetryPolicy | None = None,
        target: str = "",
    ) -> None:
        """Wraps an existing `grpc.aio.Channel`, which the client then owns (`close` closes it).

        Most callers use `connect` instead. `token` defaults to ``$SCANRULES_TOKEN``; `timeout` is the default
        deadline of each unary call in seconds (None: no deadline); `retry` defaults to ``RetryPolicy()``.
        """
        self.target = target
        self._channel = channel
        self._transport = AsyncTransport(
            channel,
            metadata=call_metadata(resolve_token(token)),
            timeout=timeout,
            retry=retry if retry is not None else DEFAULT_RETRY,
        )
        self.rules = RulesClient(self._transport)
        self.orchestration = OrchestrationClient(self._transport)
        self.monitoring = MonitoringClient(self._transport)

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
    ) -> Connecting:
        """Opens a channel to `target` (``host:port``) and waits until it is ready.

        Args:
            target: the server address, e.g. ``127.0.0.1:50051``.
            credentials: TLS credentials (``grpc.ssl_channel_credentials(...)``); None for plaintext.
            token: bearer token sent as ``authorization: Bearer <token>``; default ``$SCANRULES_TOKEN``, else
                ``token`` in the config file (``$SCANRULES_CONFIG`` or ``~/.config/scanrules/config.toml``).
            timeout: default deadline of each unary call, in seconds; None for no deadline.
            retry: retry policy for UNAVAILABLE; default ``RetryPolicy()``.
            options: extra gRPC channel options, e.g. ``[("grpc.max_receive_message_length", 64 << 20)]``.
            connect_timeout: how long to wait for the channel to become ready.
            tls_ca_file: PEM file of the CA that signed the server's certificate; connects with TLS. Instead of
                `credentials`; TLS with the system roots needs ``credentials=grpc.ssl_channel_credentials()``.
            tls_cert_file, tls_key_file: PEM client certificate and its key, for mutual TLS (both or neither).

        Returns an awaitable that is also an async context manager: ``await ScanRulesClient.connect(...)`` gives
        the client, ``async with ScanRulesClient.connect(...) as client`` also closes it on exit.

        Raises:
            UnavailableError: the first connection attempt failed, or the channel was not ready in time.
            ValueError: `credentials` and TLS files together, or a client certificate without its key.
            OSError: a TLS file cannot be read.
        """
        credentials = pick_credentials(credentials, tls_ca_file, tls_cert_file, tls_key_file)

        async def open_client() -> ScanRulesClient:
            merged = channel_options(options)
            if credentials is None:
                channel = grpc.aio.insecure_channel(target, options=merged)
            else:
                channel = grpc.aio.secure_channel(target, credentials, options=merged)
            try:
                await wait_until_ready(channel, target, connect_timeout)
            except BaseException:
                await channel.close()
                raise
            return cls(channel, token=token, timeout=timeout, retry=retry, target=target)

        return Connecting(open_client)

    @property
    def channel(self) -> grpc.aio.Channel:
        """The underlying channel, e.g. for health checks or reflection stubs."""
        return self._channel

    async def close(self, grace: float | None = None) -> None:
        """Closes the channel; calls in flight are cancelled after `grace` seconds (default: at once)."""
        await self._channel.close(grace)

    async def __aenter__(self) -> ScanRulesClient:
        return self

    async def __aexit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        await self.close()

    def __repr__(self) -> str:
        return f"ScanRulesClient(target={self.target!r})"


class Connecting:
    """What `ScanRulesClient.connect` returns: await it for the client, or ``async with`` it to also close it."""

    def __init__(self, open_client: Callable[[], Coroutine[Any, Any, ScanRulesClient]]) -> None:
        self._open_client = open_client
        self._client: ScanRulesClient | None = None

    def __await__(self) -> Generator[Any, None, ScanRulesClient]:
        return self._open_client().__await__()

    async def __aenter__(self) -> ScanRulesClient:
        self._client = await self._open_client()
        return self._client

    async def __aexit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        if self._client is not None:
            await self._client.close()
            self._client = None
