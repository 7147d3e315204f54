"""Generate the Python gRPC code for protos/scanrules/v1 into generated/ (`make gen`).

Runs the protoc bundled with grpcio-tools (offline: only google/protobuf well-known types
are imported) with --python_out, --grpc_python_out and --pyi_out. The previous output under
<out>/scanrules is deleted first so that removed protos vanish, and the result is
deterministic: running it twice gives identical bytes (`make check-gen` relies on that).
"""

from __future__ import annotations

import argparse
import os
import shutil
import sys
from importlib import resources
from pathlib import Path

from grpc_tools import protoc

ROOT = Path(__file__).resolve().parents[1]
PROTO_ROOT = ROOT / "protos"
PACKAGE_DIR = Path("scanrules") / "v1"
DEFAULT_OUT = ROOT / "generated"


def proto_files() -> list[str]:
    """The .proto files to compile, relative to PROTO_ROOT, sorted for a stable order."""
    files = sorted(p.relative_to(PROTO_ROOT).as_posix() for p in (PROTO_ROOT / PACKAGE_DIR).glob("*.proto"))
    if not files:
        raise SystemExit(f"no .proto files under {PROTO_ROOT / PACKAGE_DIR}")
    return files


def generate(out: Path) -> None:
    """Replace <out>/scanrules with freshly generated code."""
    out = out.resolve()
    shutil.rmtree(out / "scanrules", ignore_errors=True)
    (out / PACKAGE_DIR).mkdir(parents=True, exist_ok=True)
    well_known = resources.files("grpc_tools").joinpath("_proto")
    args = [
        "grpc_tools.protoc",
        "-I.",
        f"-I{well_known}",
        f"--python_out={out}",
        f"--grpc_python_out={out}",
        f"--pyi_out={out}",
        *proto_files(),
    ]
    # Paths given relative to the include root keep absolute paths out of the output.
    cwd = Path.cwd()
    os.chdir(PROTO_ROOT)
    try:
        status = protoc.main(args)
    finally:
        os.chdir(cwd)
    if status != 0:
        raise SystemExit(f"protoc failed with status {status}")
    for package in (out / "scanrules", out / PACKAGE_DIR):
        (package / "__init__.py").write_bytes(b"")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--out", type=Path, default=DEFAULT_OUT, help="output directory (default: generated/)")
    args = parser.parse_args(argv)
    generate(args.out)
    return 0


if __name__ == "__main__":
    sys.exit(main())
