"""The README's SDK example runs as written against a real server."""

from __future__ import annotations

import os
import subprocess
import sys
import uuid
from pathlib import Path

from tests.integration.conftest import admin_tokens

README = Path(__file__).resolve().parents[2] / "README.md"


def test_readme_sdk_example(server_target: str, tmp_path: Path) -> None:
    text = README.read_text(encoding="utf-8")
    code = text.split("```python\n", 1)[1].split("```", 1)[0]
    assert "127.0.0.1:50051" in code
    script = tmp_path / "example.py"
    script.write_text(
        code.replace("127.0.0.1:50051", server_target).replace('"iban-in-notes"', f'"iban-{uuid.uuid4().hex[:8]}"')
    )
    env = {**os.environ, "SCANRULES_TOKEN": admin_tokens[server_target]}  # as the README says: export it
    out = subprocess.run([sys.executable, str(script)], capture_output=True, text=True, timeout=120, env=env)
    assert out.returncode == 0, out.stderr
    assert "PATTERN_TYPE_REGEX" in out.stdout and "NOT_FOUND RESOURCE_NOT_FOUND" in out.stdout
