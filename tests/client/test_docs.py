"""docs/client.md stays in step with the SDK: its Python compiles and its ctl examples parse."""

from __future__ import annotations

import ast
import re
import shlex
from pathlib import Path

import pytest

import scanrules_client
from scanrules_client.ctl import build_parser

DOC = Path(__file__).resolve().parents[2] / "docs" / "client.md"


def blocks(language: str) -> list[str]:
    return re.findall(rf"```{language}\n(.*?)```", DOC.read_text(encoding="utf-8"), flags=re.DOTALL)


def test_python_examples_compile() -> None:
    examples = blocks("python")
    assert len(examples) >= 5
    for example in examples:
        compile(example, str(DOC), "exec", flags=ast.PyCF_ALLOW_TOP_LEVEL_AWAIT)


CTL_LINES = [line for block in blocks("sh") for line in block.splitlines() if line.startswith("scanrules-ctl ")]


@pytest.mark.parametrize("line", CTL_LINES)
def test_ctl_examples_parse(line: str) -> None:
    build_parser().parse_args(shlex.split(line, comments=True)[1:])


def test_every_error_class_is_documented() -> None:
    text = DOC.read_text(encoding="utf-8")
    for name in scanrules_client.__all__:
        if name.endswith("Error"):
            assert f"`{name}`" in text, name
