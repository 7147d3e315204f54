"""The model registry a rule's `model("name")` reads from.

The optimizer trains models and registers them; the engine only asks for a score.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Protocol

from .column import ColumnInfo, ColumnProfile

ModelScorer = Callable[[ColumnInfo, ColumnProfile], float]


class ModelRegistry(Protocol):
    def exists(self, name: str) -> bool: ...

    def score(self, name: str, column: ColumnInfo, profile: ColumnProfile) -> float: ...


class InMemoryModelRegistry:
    """Models as plain scoring functions; the default registry is empty."""

    def __init__(self, models: Mapping[str, ModelScorer] | None = None) -> None:
        self._models = dict(models or {})

    def register(self, name: str, scorer: ModelScorer) -> None:
        self._models[name] = scorer

    def exists(self, name: str) -> bool:
        return name in self._models

    def score(self, name: str, column: ColumnInfo, profile: ColumnProfile) -> float:
        return float(self._models[name](column, profile))
