"""Connectors: discover a source's tables and stream sampled column batches, read-only.

`open_source(uri)` picks the connector for a database URL or a file/folder path; see `base.py`
for the interface and docs/data-sources.md for what each connector reads and how it samples.
"""

from __future__ import annotations

from .base import (
    Batch,
    ConnectionCheck,
    Connector,
    ForeignKey,
    Partition,
    Sampling,
    SamplingStrategy,
    SourceAuthenticationError,
    SourceNotFoundError,
    SourceUnreachableError,
    TableSchema,
    check_source,
    open_source,
)
from .filters import filter_tables, selected

__all__ = [
    "Batch",
    "ConnectionCheck",
    "Connector",
    "ForeignKey",
    "Partition",
    "Sampling",
    "SamplingStrategy",
    "SourceAuthenticationError",
    "SourceNotFoundError",
    "SourceUnreachableError",
    "TableSchema",
    "check_source",
    "filter_tables",
    "open_source",
    "selected",
]
