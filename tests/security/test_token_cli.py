"""`scanrules token create | list | revoke` as users run them (subprocesses), and the keys against a server."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest
from scanrules.v1 import rule_service_pb2

from scanrules_client import ScanRulesClient, UnauthenticatedError
from scanrules_server.settings import Settings
from tests.integration.conftest import ServerThread

SCANRULES = str(Path(sys.executable).with_name("scanrules"))


def _token(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([SCANRULES, "token", *args], capture_output=True, text=True, timeout=120)


async def test_create_list_revoke(tmp_path: Path) -> None:
    url = f"sqlite+aiosqlite:///{tmp_path / 'scanrules.db'}"
    made = _token("create", "--role", "editor", "--expires", "30d", "--description", "ci bot", "--database-url", url)
    assert made.returncode == 0, made.stderr
    key = made.stdout.splitlines()[-1]
    assert made.stdout == key + "\n" and key.startswith("sr_") and len(key) == 46  # the key alone
    assert "shown only this once" in made.stderr

    listed = _token("list", "--format", "json", "--database-url", url)
    assert listed.returncode == 0, listed.stderr
    [entry] = json.loads(listed.stdout)
    assert entry["role"] == "editor" and entry["state"] == "ACTIVE" and entry["description"] == "ci bot"
    assert entry["expire_time"] and entry["creator"].startswith("cli:")
    assert key not in listed.stdout and key[3:] not in listed.stdout and "key_hash" not in listed.stdout
    table = _token("list", "--database-url", url)
    assert table.returncode == 0 and entry["key_id"] in table.stdout and key not in table.stdout

    # The key works against a server on that database, which (keys exist) creates no admin key of its own.
    server = ServerThread(Settings(host="127.0.0.1", port=0, database_url=url, migrate=True))
    try:
        target = server.start()
        assert server.running is not None and server.running.admin_key is None
        async with ScanRulesClient.connect(target, token=key) as client:
            request = rule_service_pb2.GetRuleSetRequest(name="ruleSets/default")
            await client.rules.get_rule_set(request)
            revoked = _token("revoke", entry["key_id"], "--database-url", url)
            assert revoked.returncode == 0, revoked.stderr
            assert f"revoked API key {entry['key_id']}" in revoked.stdout
            with pytest.raises(UnauthenticatedError) as caught:
                await client.rules.get_rule_set(request)
            assert caught.value.reason == "KEY_REVOKED"
    finally:
        server.stop()
    [after] = json.loads(_token("list", "--format", "json", "--database-url", url).stdout)
    assert after["state"] == "REVOKED" and after["revoke_time"] and after["last_used_time"]


def test_usage_errors_exit_2(tmp_path: Path) -> None:
    url = f"sqlite+aiosqlite:///{tmp_path / 'scanrules.db'}"
    for args in (
        ("create", "--role", "superuser", "--database-url", url),
        ("create", "--role", "viewer", "--expires", "soon", "--database-url", url),
        ("revoke", "no-such-key", "--database-url", url),
    ):
        result = _token(*args)
        assert result.returncode == 2, (args, result.stdout, result.stderr)
        assert "Traceback" not in result.stderr and result.stdout == ""
