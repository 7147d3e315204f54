"""A real server with authentication on (API keys and JWT: HS256, RS256 by PEM, ES256 by JWKS), for the
authentication and audit tests. Import the fixtures: `from tests.security.auth_server import auth_server`."""

from __future__ import annotations

import asyncio
import json
import secrets
import time
from collections.abc import Coroutine, Iterator
from dataclasses import dataclass
from datetime import timedelta
from pathlib import Path
from typing import Any, TypeVar

import jwt
import pytest
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ec, rsa

from scanrules_server.api.context import Database
from scanrules_server.api.tokens import create_token, revoke_token
from scanrules_server.settings import Settings
from tests.integration.conftest import ServerThread

T = TypeVar("T")

ISSUER = "https://issuer.test"
AUDIENCE = "scanrules-test"
EC_KID = "ec-1"


@dataclass
class JwtKeys:
    secret: str
    rsa: rsa.RSAPrivateKey
    ec: ec.EllipticCurvePrivateKey
    rsa_public_pem: Path
    jwks: Path

    def token(
        self,
        *,
        alg: str = "HS256",
        key: Any = None,
        headers: dict[str, Any] | None = None,
        drop: tuple[str, ...] = (),
        **claims: Any,
    ) -> str:
        """A signed JWT: sub alice, role editor, our issuer and audience, valid for 5 minutes, unless told else."""
        now = int(time.time())
        body: dict[str, Any] = {
            "sub": "alice@example.com",
            "role": "editor",
            "iss": ISSUER,
            "aud": AUDIENCE,
            "iat": now,
            "nbf": now - 5,
            "exp": now + 300,
        }
        body.update(claims)
        for name in drop:
            body.pop(name, None)
        if key is None:
            key = {"HS256": self.secret, "RS256": self.rsa, "ES256": self.ec}[alg]
        extra = dict(headers or {})
        if alg == "ES256":
            extra.setdefault("kid", EC_KID)
        return jwt.encode(body, key, algorithm=alg, headers=extra or None)


def make_jwt_keys(directory: Path) -> JwtKeys:
    rsa_key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    ec_key = ec.generate_private_key(ec.SECP256R1())
    pem = directory / "jwt-rsa.pub.pem"
    pem.write_bytes(
        rsa_key.public_key().public_bytes(serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo)
    )
    jwk = json.loads(jwt.algorithms.ECAlgorithm.to_jwk(ec_key.public_key()))
    jwk.update(kid=EC_KID, alg="ES256", use="sig")
    jwks = directory / "jwks.json"
    jwks.write_text(json.dumps({"keys": [jwk]}))
    return JwtKeys(secrets.token_urlsafe(48), rsa_key, ec_key, pem, jwks)


@dataclass
class AuthServer:
    thread: ServerThread
    target: str
    admin_key: str
    jwt: JwtKeys

    @property
    def db(self) -> Database:
        assert self.thread.running is not None
        return self.thread.running.db

    def run(self, coroutine: Coroutine[Any, Any, T]) -> T:
        """Run `coroutine` on the server's event loop (its database engine lives there)."""
        return asyncio.run_coroutine_threadsafe(coroutine, self.thread.loop).result(timeout=60)

    def key(self, role: str, *, expires: timedelta | None = None, description: str = "") -> tuple[str, str]:
        """A new API key for `role`: (key id, key)."""
        record, key = self.run(
            create_token(self.db, role, expires=expires, description=description, creator="test:fixture")
        )
        return record.key_id, key

    def revoke(self, key_id: str) -> None:
        self.run(revoke_token(self.db, key_id, revoker="test:fixture"))


@pytest.fixture(scope="module")
def auth_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[AuthServer]:
    tmp = tmp_path_factory.mktemp("auth")
    keys = make_jwt_keys(tmp)
    settings = Settings(
        host="127.0.0.1",
        port=0,
        database_url=f"sqlite+aiosqlite:///{tmp / 'scanrules.db'}",
        migrate=True,
        rate_limit_per_second=0,
        jwt_secret=keys.secret,
        jwt_public_key_file=str(keys.rsa_public_pem),
        jwt_jwks_file=str(keys.jwks),
        jwt_issuer=ISSUER,
        jwt_audience=AUDIENCE,
        jwt_leeway_seconds=0,
    )
    assert settings.auth_enabled  # the default
    thread = ServerThread(settings)
    try:
        target = thread.start()
        assert thread.running is not None and thread.running.admin_key
        yield AuthServer(thread, target, thread.running.admin_key, keys)
    finally:
        thread.stop()
