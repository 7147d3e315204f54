"""On-disk cache of the compiled built-in rule set: the CLI starts without recompiling.

The key covers the library data, the engine's code, the package version and the Hyperscan build, so
any change to them compiles afresh. A damaged or unreadable cache is ignored.
"""

from __future__ import annotations

import hashlib
import logging
import os
import platform
from importlib import resources
from pathlib import Path

import hyperscan

from .. import __version__
from .compiler import CompiledRuleSet, builtin_rule_specs, compile_rules

log = logging.getLogger(__name__)


def _library_digest() -> str:
    digest = hashlib.sha256(f"{__version__}|{getattr(hyperscan, '__version__', '?')}|{platform.machine()}".encode())
    package = resources.files(__package__)
    # The engine's own code shapes what gets pickled, so it is part of the key too.
    for entry in sorted(package.iterdir(), key=lambda p: p.name):
        if entry.name.endswith(".py"):
            digest.update(entry.read_bytes())
    folder = package.joinpath("data")
    for sub in ("classifications", "wordlists"):
        for entry in sorted(folder.joinpath(sub).iterdir(), key=lambda p: p.name):
            digest.update(entry.name.encode())
            digest.update(entry.read_bytes())
    return digest.hexdigest()[:24]


def cache_dir() -> Path:
    base = os.environ.get("SCANRULES_CACHE_DIR") or os.path.join(
        os.environ.get("XDG_CACHE_HOME") or os.path.expanduser("~/.cache"), "scanrules"
    )
    return Path(base)


def compiled_builtin() -> CompiledRuleSet:
    """The built-in rule set, from the cache when it is current."""
    path = cache_dir() / f"builtin-{_library_digest()}.bin"
    try:
        return CompiledRuleSet.loads(path.read_bytes())
    except FileNotFoundError:
        pass
    except Exception as exc:
        log.warning("event=cache_unreadable path=%s error=%s", path, type(exc).__name__)
    compiled = compile_rules(builtin_rule_specs())
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        tmp = path.with_suffix(f".{os.getpid()}.tmp")
        tmp.write_bytes(compiled.dumps())
        tmp.replace(path)
    except OSError as exc:
        log.info("event=cache_not_written path=%s error=%s", path, exc.strerror)
    return compiled
