"""Rule set files for the embedded CLI (YAML), and the built-in system rule set."""

from __future__ import annotations

from pathlib import Path

import yaml

from ..domain.errors import RuleSetError
from .compiler import RuleSpec, builtin_rule_specs


def load_rule_set_file(path: str | Path) -> list[RuleSpec]:
    """Rules from a YAML file:

    ```yaml
    include_builtin: true        # also run every built-in classification (default false)
    rules:
      - name: employee_badge
        classification: EMPLOYEE_BADGE
        expression: match value ~ /^EMP-\\d{6}$/
        confidence_threshold: 0.7   # optional, default 0.6
    ```
    """
    file = Path(path)
    try:
        data = yaml.safe_load(file.read_text(encoding="utf-8"))
    except OSError as exc:
        raise RuleSetError(f"cannot read rule set {str(file)!r}: {exc.strerror or exc}") from exc
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        where = f" at line {mark.line + 1}" if mark is not None else ""
        raise RuleSetError(f"rule set {str(file)!r} is not valid YAML{where}") from exc
    if not isinstance(data, dict) or not isinstance(data.get("rules", []), list):
        raise RuleSetError(f"rule set {str(file)!r} must be a mapping with a 'rules' list")
    specs: list[RuleSpec] = builtin_rule_specs() if data.get("include_builtin", False) else []
    for i, item in enumerate(data.get("rules") or []):
        if not isinstance(item, dict):
            raise RuleSetError(f"rule set {str(file)!r}: rules[{i}] must be a mapping")
        missing = [k for k in ("name", "classification", "expression") if not item.get(k)]
        if missing:
            raise RuleSetError(f"rule set {str(file)!r}: rules[{i}] lacks {', '.join(missing)}")
        try:
            threshold = float(item.get("confidence_threshold", 0.6))
        except (TypeError, ValueError) as exc:
            raise RuleSetError(f"rule set {str(file)!r}: rules[{i}].confidence_threshold must be a number") from exc
        if not 0.0 <= threshold <= 1.0:
            raise RuleSetError(f"rule set {str(file)!r}: rules[{i}].confidence_threshold must be within 0..1")
        specs.append(
            RuleSpec(
                str(item["name"]),
                str(item["classification"]),
                str(item["expression"]),
                threshold,
                str(item.get("description", "")),
            )
        )
    if not specs:
        raise RuleSetError(f"rule set {str(file)!r} has no rules")
    return specs
