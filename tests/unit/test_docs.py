from __future__ import annotations

import importlib.util
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def test_classifications_doc_is_current() -> None:
    spec = importlib.util.spec_from_file_location("gen_doc", ROOT / "scripts" / "gen_classifications_doc.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    current = (ROOT / "docs" / "classifications.md").read_text(encoding="utf-8")
    assert current == module.render(), "docs/classifications.md is stale: run `make docs`"


def test_rule_language_doc_covers_every_predicate() -> None:
    text = (ROOT / "docs" / "rule-language.md").read_text(encoding="utf-8")
    for word in (
        "match",
        "evidence",
        "when",
        "valid(",
        "phone(",
        "dictionary(",
        "near(",
        "semantic(",
        "model(",
        "references(",
    ):
        assert word in text
