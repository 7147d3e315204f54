"""The built-in classification library and word lists, shipped as package data."""

from __future__ import annotations

from dataclasses import dataclass, field
from functools import cache, lru_cache
from importlib import resources

from ..domain.errors import RuleSetError
from .yamlload import load_yaml

CATEGORIES = (
    "PII",
    "SPII",
    "FINANCIAL",
    "CREDENTIAL",
    "HEALTH",
    "GOVERNMENT_ID",
    "NETWORK",
    "DEMOGRAPHIC",
    "LOCATION",
    "VEHICLE",
)


@dataclass(frozen=True)
class Classification:
    name: str
    description: str
    category: str
    countries: tuple[str, ...]
    aliases: tuple[str, ...]
    rule: str
    positive: tuple[str, ...]
    negative: tuple[str, ...]
    example_column: str = ""
    confidence_threshold: float = 0.6
    source_file: str = field(default="", compare=False)


def _data() -> resources.abc.Traversable:
    return resources.files(__package__).joinpath("data")


@lru_cache(maxsize=1)
def builtin_classifications() -> tuple[Classification, ...]:
    """Every built-in classification, sorted by name; names are unique."""
    out: dict[str, Classification] = {}
    folder = _data().joinpath("classifications")
    for entry in sorted(folder.iterdir(), key=lambda p: p.name):
        if not entry.name.endswith(".yaml"):
            continue
        items = load_yaml(entry.read_text(encoding="utf-8")) or []
        for item in items:
            examples = item.get("examples") or {}
            c = Classification(
                name=item["name"],
                description=item["description"].strip(),
                category=item["category"],
                countries=tuple(item.get("countries") or ("GLOBAL",)),
                aliases=tuple(str(a) for a in item.get("aliases") or ()),
                rule=item["rule"],
                positive=tuple(str(v) for v in examples.get("positive") or ()),
                negative=tuple(str(v) for v in examples.get("negative") or ()),
                example_column=str(examples.get("column") or ""),
                confidence_threshold=float(item.get("confidence_threshold", 0.6)),
                source_file=entry.name,
            )
            if c.name in out:
                raise RuleSetError(f"duplicate built-in classification {c.name} in {entry.name}")
            out[c.name] = c
    return tuple(out[k] for k in sorted(out))


@lru_cache(maxsize=1)
def builtin_by_name() -> dict[str, Classification]:
    return {c.name: c for c in builtin_classifications()}


@cache
def dictionary(name: str) -> frozenset[str] | None:
    """A shipped word list, casefolded, or None if there is none by that name."""
    if not name.replace("_", "").isalnum():
        return None
    path = _data().joinpath("wordlists").joinpath(f"{name}.txt")
    if not path.is_file():
        return None
    lines = path.read_text(encoding="utf-8").splitlines()
    return frozenset(w.strip().casefold() for w in lines if w.strip() and not w.startswith("#"))
