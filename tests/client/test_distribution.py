"""The SDK ships on its own: its wheel holds only the client and the generated stubs, depends only on
gRPC and protobuf, and importing it loads nothing of the server."""

from __future__ import annotations

import subprocess
import sys
import zipfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
SERVER_ONLY = {"scanrules_server", "sqlalchemy", "hyperscan", "re2", "numpy", "pyarrow", "lark", "sklearn", "alembic"}


def test_client_wheel_contents_and_dependencies(tmp_path: Path) -> None:
    subprocess.run(
        [
            sys.executable,
            "-m",
            "pip",
            "wheel",
            "--quiet",
            "--no-deps",
            "-w",
            str(tmp_path),
            str(ROOT / "clients/python"),
        ],
        check=True,
        timeout=600,
    )
    (wheel,) = tmp_path.glob("scanrules_client-*.whl")
    with zipfile.ZipFile(wheel) as archive:
        names = archive.namelist()
        metadata = archive.read(next(n for n in names if n.endswith("METADATA"))).decode()
    tops = {n.split("/")[0] for n in names if not n.split("/")[0].endswith(".dist-info")}
    assert tops == {"scanrules_client", "scanrules"}
    assert "scanrules/v1/rule_service_pb2_grpc.py" in names and "scanrules_client/ctl.py" in names
    assert not any(n.endswith(".pyc") for n in names)
    requires = {
        line.split(":", 1)[1].split(";")[0].strip().split("==")[0]
        for line in metadata.splitlines()
        if line.startswith("Requires-Dist:") and "extra ==" not in line
    }
    assert requires == {"grpcio", "grpcio-status", "protobuf", "googleapis-common-protos"}


def test_importing_the_sdk_loads_nothing_of_the_server() -> None:
    code = (
        "import sys, scanrules_client, scanrules_client.ctl\n"
        f"bad = sorted({{m for m in sys.modules if m.split('.')[0] in {sorted(SERVER_ONLY)!r}}})\n"
        "print(','.join(bad))"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True, timeout=60)
    assert out.stdout.strip() == ""
