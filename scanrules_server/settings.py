"""Server settings: command-line options over environment variables over defaults."""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from pathlib import Path

from sqlalchemy.engine import make_url

from .api import limits, permissions
from .persistence.db import DEFAULT_DATABASE_URL


@dataclass
class Settings:
    host: str = "127.0.0.1"
    port: int = 50051
    database_url: str = field(default_factory=lambda: os.environ.get("SCANRULES_DATABASE_URL", DEFAULT_DATABASE_URL))
    #: Port of the Prometheus /metrics endpoint; 0 turns it off.
    metrics_port: int = 0
    #: Run migrations at start. Default: only for the embedded SQLite database.
    migrate: bool | None = None
    #: Seconds in-flight RPCs get to finish on SIGTERM/SIGINT.
    grace_seconds: float = 10.0
    max_message_bytes: int = 16 * 1024 * 1024
    #: File holding the Fernet key for data source secrets (env SCANRULES_SECRET_KEY wins). Default:
    #: `scanrules.key` next to an embedded SQLite database, created on first start; none otherwise.
    secret_key_file: str | None = field(default_factory=lambda: os.environ.get("SCANRULES_SECRET_KEY_FILE") or None)
    # ---- executors (docs/orchestration.md#executors) ----
    #: Where jobs that name no executor run: `local` (a process pool here) or `dask` (needs `dask_address`).
    executor: str = field(default_factory=lambda: os.environ.get("SCANRULES_EXECUTOR") or "local")
    #: Dask scheduler address, e.g. tcp://10.0.0.5:8786; the server refuses to start when it cannot connect.
    dask_address: str | None = field(default_factory=lambda: os.environ.get("SCANRULES_DASK_ADDRESS") or None)
    #: Seconds to wait for the Dask scheduler at startup.
    dask_connect_timeout: float = 10.0
    # ---- TLS (docs/security.md) ----
    #: PEM server certificate chain and its unencrypted private key; both or neither.
    tls_cert: str | None = field(default_factory=lambda: os.environ.get("SCANRULES_TLS_CERT") or None)
    tls_key: str | None = field(default_factory=lambda: os.environ.get("SCANRULES_TLS_KEY") or None)
    #: PEM CA certificates; when set, clients must present a certificate signed by one of them (mTLS).
    tls_client_ca: str | None = field(default_factory=lambda: os.environ.get("SCANRULES_TLS_CLIENT_CA") or None)
    #: Allow plaintext on a non-loopback address (without it such a bind refuses to start).
    insecure: bool = False
    # ---- limits (docs/security.md) ----
    max_expression_chars: int = limits.MAX_EXPRESSION_CHARS
    max_regex_chars: int = limits.MAX_REGEX_CHARS
    max_rules_per_rule_set: int = limits.MAX_RULES_PER_RULE_SET
    #: Seconds a server-streaming (Watch*) call may stay open; 0: no limit.
    max_stream_seconds: float = limits.MAX_STREAM_SECONDS
    #: Deadline of a unary call whose client set none; 0: none.
    default_deadline_seconds: float = limits.DEFAULT_DEADLINE_SECONDS
    #: Token bucket per principal: calls a second and burst size; 0 in either turns rate limiting off.
    rate_limit_per_second: float = 50.0
    rate_limit_burst: int = 100
    # ---- authentication (docs/security.md) ----
    #: Require credentials on every RPC but `open_methods`. Off (`--no-auth`) only for local experiments.
    auth_enabled: bool = True
    #: Full method names, or service prefixes ending in "/", callable without credentials.
    open_methods: tuple[str, ...] = permissions.OPEN_METHODS
    #: HS256 shared secret for bearer JWTs, at least 32 bytes; from the environment only, never an option.
    jwt_secret: str | None = field(default_factory=lambda: os.environ.get("SCANRULES_JWT_SECRET") or None)
    #: PEM public key (or certificate) verifying RS256/ES256 JWTs.
    jwt_public_key_file: str | None = field(
        default_factory=lambda: os.environ.get("SCANRULES_JWT_PUBLIC_KEY_FILE") or None
    )
    #: JWKS file (JSON) of RS256/ES256 keys, chosen by the token's `kid`.
    jwt_jwks_file: str | None = field(default_factory=lambda: os.environ.get("SCANRULES_JWT_JWKS_FILE") or None)
    #: Required `iss` of JWTs; unset accepts any issuer (logged at start).
    jwt_issuer: str | None = field(default_factory=lambda: os.environ.get("SCANRULES_JWT_ISSUER") or None)
    #: Required `aud` of JWTs.
    jwt_audience: str = field(default_factory=lambda: os.environ.get("SCANRULES_JWT_AUDIENCE") or "scanrules")
    #: Clock skew allowed on `exp` and `nbf`, in seconds.
    jwt_leeway_seconds: float = 30.0

    @property
    def is_sqlite(self) -> bool:
        return self.database_url.startswith("sqlite")

    def key_file(self) -> Path | None:
        if self.secret_key_file:
            return Path(self.secret_key_file)
        if self.is_sqlite:
            database = make_url(self.database_url).database or ""
            if database and database != ":memory:":
                return Path(database).resolve().parent / "scanrules.key"
        return None
