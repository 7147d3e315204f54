"""Write docs/classifications.md from the built-in library data (`make docs`)."""

from __future__ import annotations

import sys
from collections import Counter
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from scanrules_server.engine.compiler import check_rule  # noqa: E402
from scanrules_server.engine.library import builtin_classifications  # noqa: E402

OUT = ROOT / "docs" / "classifications.md"


def render() -> str:
    library = builtin_classifications()
    counts = Counter(c.category for c in library)
    lines = [
        "# Built-in classifications",
        "",
        "Generated from `scanrules_server/engine/data/classifications/*.yaml` by",
        "`scripts/gen_classifications_doc.py` (`make docs`); do not edit by hand.",
        "",
        f"{len(library)} classifications: "
        + ", ".join(f"{n} {cat}" for cat, n in sorted(counts.items(), key=lambda kv: (-kv[1], kv[0])))
        + ".",
        "",
        "Each rule is written in the [rule language](rule-language.md). Identifiers with a",
        "check digit are validated (python-stdnum, phonenumbers or a built-in validator);",
        "formats without one only count under a telling column name. Names follow Google",
        "Sensitive Data Protection infoTypes where one exists; *aliases* are the names other",
        "tools (Presidio, Microsoft Purview, Amazon Macie) use.",
        "",
        "| name | category | countries | type | aliases | description |",
        "|---|---|---|---|---|---|",
    ]
    for c in library:
        _, analysis = check_rule(c.rule)
        aliases = ", ".join(f"`{a}`" for a in c.aliases) or "—"
        desc = c.description.replace("|", "\\|").replace("\n", " ")
        lines.append(
            f"| [`{c.name}`](#{c.name.lower()}) | {c.category} | {', '.join(c.countries)} | "
            f"{analysis.complexity_level.lower()} | {aliases} | {desc} |"
        )
    lines.append("")
    lines.append("## Rules")
    for c in library:
        lines += ["", f"### {c.name}", "", c.description, "", "```", c.rule.rstrip(), "```"]
    return "\n".join(lines) + "\n"


if __name__ == "__main__":
    OUT.write_text(render(), encoding="utf-8")
    print(f"wrote {OUT.relative_to(ROOT)}")
