"""Connectors: discover a source's tables and stream column batches, read-only.

`open_source(uri)` picks the connector for a SQLAlchemy URL or a file/folder path.
"""

from __future__ import annotations

from .base import Connector, TableSchema, open_source

__all__ = ["Connector", "TableSchema", "open_source"]
