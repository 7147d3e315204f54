"""Encryption at rest for data source secrets (Fernet: AES-128-CBC + HMAC-SHA256).

The key comes from `SCANRULES_SECRET_KEY` (a Fernet key), else from a key file. For the
embedded default the key file is created on first start next to the SQLite database,
readable by its owner only (0600). A server with neither refuses to store passwords.
Plain passwords are never logged and never part of an error message.
"""

from __future__ import annotations

import logging
import os
import stat
from pathlib import Path

from cryptography.fernet import Fernet, InvalidToken

from .domain.errors import FailedPreconditionError

KEY_ENV = "SCANRULES_SECRET_KEY"
log = logging.getLogger("scanrules.secrets")


class SecretBox:
    def __init__(self, key: bytes | None) -> None:
        self._fernet = Fernet(key) if key else None

    @property
    def enabled(self) -> bool:
        return self._fernet is not None

    def seal(self, plaintext: str) -> str:
        if not plaintext:
            return ""
        if self._fernet is None:
            raise FailedPreconditionError(
                f"this server has no secret key, so it cannot store passwords: set {KEY_ENV} or --secret-key-file",
                "NO_SECRET_KEY",
            )
        return self._fernet.encrypt(plaintext.encode("utf-8")).decode("ascii")

    def open(self, token: str) -> str:
        if not token:
            return ""
        if self._fernet is None:
            raise FailedPreconditionError(
                f"this server has no secret key to read stored passwords: set {KEY_ENV}", "NO_SECRET_KEY"
            )
        try:
            return self._fernet.decrypt(token.encode("ascii")).decode("utf-8")
        except InvalidToken as exc:
            raise FailedPreconditionError(
                "a stored password cannot be decrypted with this server's key (was the key changed?)",
                "SECRET_KEY_MISMATCH",
            ) from exc


def load_key(key_file: Path | None, create: bool) -> bytes | None:
    """The key from the environment, else from `key_file` (created with 0600 when `create`)."""
    from_env = os.environ.get(KEY_ENV, "").strip()
    if from_env:
        return from_env.encode("ascii")
    if key_file is None:
        return None
    if key_file.is_file():
        mode = stat.S_IMODE(key_file.stat().st_mode)
        if mode & 0o077:
            log.warning("secret key file is readable by others path=%s mode=%o", key_file, mode)
        return key_file.read_bytes().strip()
    if not create:
        return None
    key_file.parent.mkdir(parents=True, exist_ok=True)
    key = Fernet.generate_key()
    fd = os.open(key_file, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(fd, "wb") as out:
        out.write(key + b"\n")
    log.info("created secret key file path=%s", key_file)
    return key
