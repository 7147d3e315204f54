"""Server settings: command-line options over environment variables over defaults."""

from __future__ import annotations

import os
from dataclasses import dataclass, field

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

    @property
    def is_sqlite(self) -> bool:
        return self.database_url.startswith("sqlite")
