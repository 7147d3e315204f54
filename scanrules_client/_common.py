"""Pieces shared by the async and the sync client: settings, metadata, deadlines, idempotency keys."""

from __future__ import annotations

import importlib.metadata
import os
import time
import tomllib
import uuid
from collections.abc import Sequence
from pathlib import Path
from typing import Any, TypeVar

from google.protobuf.descriptor import FieldDescriptor
from google.protobuf.message import Message

__all__ = [
    "CONFIG_ENV",
    "DEFAULT_TIMEOUT",
    "TOKEN_ENV",
    "Deadline",
    "call_metadata",
    "channel_options",
    "config_value",
    "resolve_token",
    "serialize",
    "with_request_id",
]

TOKEN_ENV = "SCANRULES_TOKEN"
CONFIG_ENV = "SCANRULES_CONFIG"
DEFAULT_TIMEOUT = 30.0
DEFAULT_CONNECT_TIMEOUT = 5.0


def _version() -> str:
    for distribution in ("scanrules-client", "scanrules"):  # the SDK on its own, or the whole project
        try:
            return importlib.metadata.version(distribution)
        except importlib.metadata.PackageNotFoundError:
            continue
    return "0"  # pragma: no cover - running from a bare checkout


USER_AGENT = f"scanrules-client/{_version()}"

MessageT = TypeVar("MessageT", bound=Message)
ChannelOptions = Sequence[tuple[str, Any]]
Metadata = tuple[tuple[str, str], ...]


def config_path() -> Path:
    """``$SCANRULES_CONFIG``, else ``~/.config/scanrules/config.toml`` (``$XDG_CONFIG_HOME`` if set)."""
    explicit = os.environ.get(CONFIG_ENV)
    if explicit:
        return Path(explicit).expanduser()
    base = os.environ.get("XDG_CONFIG_HOME") or str(Path.home() / ".config")
    return Path(base) / "scanrules" / "config.toml"


def config_value(key: str) -> str | None:
    """A string from the config file (keys ``target``, ``token``); None when the file or key is missing.

    Raises ValueError naming the file when it is not valid TOML or the value is not a string.
    """
    path = config_path()
    try:
        with path.open("rb") as f:
            data = tomllib.load(f)
    except FileNotFoundError:
        return None
    except (OSError, tomllib.TOMLDecodeError) as exc:
        raise ValueError(f"cannot read {path}: {exc}") from None
    value = data.get(key)
    if value is not None and not isinstance(value, str):
        raise ValueError(f"{path}: `{key}` must be a string")
    return value or None


def resolve_token(token: str | None) -> str | None:
    """The explicit token, else ``$SCANRULES_TOKEN``, else ``token`` in the config file (`config_path`),
    else None (no ``authorization`` metadata)."""
    if token is None:
        token = os.environ.get(TOKEN_ENV) or config_value("token")
    return token or None


def call_metadata(token: str | None) -> Metadata:
    """Metadata sent with every call: ``authorization: Bearer <token>`` when there is a token."""
    return (("authorization", f"Bearer {token}"),) if token else ()


def channel_options(options: ChannelOptions) -> list[tuple[str, Any]]:
    """The caller's channel options, plus our user agent unless the caller set one."""
    merged = list(options)
    if not any(key == "grpc.primary_user_agent" for key, _ in merged):
        merged.append(("grpc.primary_user_agent", USER_AGENT))
    return merged


def serialize(message: Message) -> bytes:
    """Request serializer for every method: the message's wire format."""
    return message.SerializeToString()


def with_request_id(request: MessageT) -> MessageT:
    """A copy of `request` with a fresh UUID in its ``request_id`` field, if it has an empty one.

    Create-style requests carry an idempotency key; filling it once, before the first attempt, makes a retry
    after UNAVAILABLE return the resource the lost attempt created instead of creating a second one.
    """
    field = request.DESCRIPTOR.fields_by_name.get("request_id")
    if field is None or field.type != FieldDescriptor.TYPE_STRING:
        return request
    current: object = getattr(request, "request_id")  # noqa: B009 - the field is not on the static type
    if current:
        return request
    filled = type(request)()
    filled.CopyFrom(request)
    setattr(filled, "request_id", str(uuid.uuid4()))  # noqa: B010 - the field is not on the static type
    return filled


class Deadline:
    """An absolute deadline for a call, shared by its attempts; None means no deadline."""

    __slots__ = ("_expires",)

    def __init__(self, timeout: float | None) -> None:
        self._expires = None if timeout is None else time.monotonic() + timeout

    def remaining(self) -> float | None:
        """Seconds left (possibly <= 0), or None without a deadline."""
        return None if self._expires is None else self._expires - time.monotonic()

    def expired(self) -> bool:
        remaining = self.remaining()
        return remaining is not None and remaining <= 0
