"""The real sources of tests/connectors (throwaway PostgreSQL and MariaDB databases, SQLite, files)."""

from __future__ import annotations

from tests.connectors.conftest import files_dir, mysql_url, pg_url, sqlite_path

__all__ = ["files_dir", "mysql_url", "pg_url", "sqlite_path"]
