"""Authentication and authorization: one grpc.aio server interceptor in front of every servicer.

A call carries `authorization: Bearer <credential>` metadata, where the credential is
- an API key (`sr_...`, made by `scanrules token create`; looked up by its SHA-256 hash), or
- a JWT: HS256 with the shared secret `SCANRULES_JWT_SECRET`, or RS256/ES256 with a configured public key
  (PEM) or JWKS file. `exp` is required, `nbf`, the audience and (when configured) the issuer are checked;
  the role comes from the `role` claim, or `scanrules_role`; the principal is `user:<sub>`.

No or bad credentials: UNAUTHENTICATED, before anything else. Then the permission the method needs
(`permissions.METHOD_PERMISSIONS`) is checked against the principal's role: PERMISSION_DENIED, before the
handler runs, so before any existence check. Both carry `google.rpc.ErrorInfo` with a reason.
Methods in `Settings.open_methods` (health, reflection) skip all of it.
"""

from __future__ import annotations

import inspect
import logging
from collections.abc import AsyncIterator, Awaitable, Callable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import TYPE_CHECKING, Any

import grpc
import jwt
from cryptography import x509
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ec, rsa

from ..domain.security import API_KEY_PREFIX
from ..persistence import api_keys as key_repo
from .audit import MUTATING_METHODS, Call, current_call, record_failure
from .context import Ctx, Database
from .errors import abort_with, rich_status
from .permissions import ADMIN, ROLES, is_open, required_permission
from .principal import ANONYMOUS, Principal, current_identity, current_principal

if TYPE_CHECKING:
    from ..settings import Settings

log = logging.getLogger("scanrules.auth")

#: HS256 secrets shorter than this are refused at start (RFC 7518 §3.2: at least the hash size).
MIN_SECRET_BYTES = 32
#: `last_used_time` of an API key is written at most this often.
LAST_USED_RESOLUTION = timedelta(seconds=60)
ASYMMETRIC = ("RS256", "ES256")


class AuthError(Exception):
    """UNAUTHENTICATED with `reason` (ErrorInfo) and a message for the caller."""

    def __init__(self, reason: str, message: str) -> None:
        super().__init__(message)
        self.reason = reason
        self.message = message


# ---- JWT ------------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class _PublicKey:
    key: Any
    algorithm: str
    kid: str | None = None


def _algorithm_of(key: Any) -> str:
    if isinstance(key, rsa.RSAPublicKey):
        return "RS256"
    if isinstance(key, ec.EllipticCurvePublicKey) and isinstance(key.curve, ec.SECP256R1):
        return "ES256"
    raise RuntimeError("JWT public key must be RSA (RS256) or EC P-256 (ES256)")


def load_public_key(path: str) -> _PublicKey:
    data = Path(path).read_bytes()
    key: Any = (
        x509.load_pem_x509_certificate(data).public_key()
        if b"BEGIN CERTIFICATE" in data
        else serialization.load_pem_public_key(data)
    )
    return _PublicKey(key, _algorithm_of(key))


def load_jwks(path: str) -> list[_PublicKey]:
    keys = []
    for jwk in jwt.PyJWKSet.from_json(Path(path).read_text(encoding="utf-8")).keys:
        if jwk.algorithm_name in ASYMMETRIC:
            keys.append(_PublicKey(jwk.key, jwk.algorithm_name, jwk.key_id))
    if not keys:
        raise RuntimeError(f"JWKS file {path} has no RS256 or ES256 key")
    return keys


_JWT_REASONS: tuple[tuple[type[Exception], str, str], ...] = (
    (jwt.ExpiredSignatureError, "TOKEN_EXPIRED", "the token has expired"),
    (jwt.ImmatureSignatureError, "TOKEN_NOT_YET_VALID", "the token is not valid yet (nbf)"),
    (jwt.InvalidAudienceError, "INVALID_AUDIENCE", "the token is not meant for this service (aud)"),
    (jwt.InvalidIssuerError, "INVALID_ISSUER", "the token's issuer is not trusted (iss)"),
    (jwt.MissingRequiredClaimError, "INVALID_TOKEN", "the token lacks a required claim"),
)


class JwtVerifier:
    """Verifies bearer JWTs against the configured secret and public keys; never accepts `none`, and never
    an algorithm the configuration does not provide a key for (so no HS256-with-a-public-key confusion)."""

    def __init__(
        self,
        *,
        audience: str,
        issuer: str | None = None,
        secret: str | None = None,
        public_keys: list[_PublicKey] | None = None,
        leeway: float = 30.0,
    ) -> None:
        if secret is not None and len(secret.encode()) < MIN_SECRET_BYTES:
            raise RuntimeError(f"SCANRULES_JWT_SECRET must be at least {MIN_SECRET_BYTES} bytes")
        self.audience = audience
        self.issuer = issuer
        self.secret = secret
        self.public_keys = public_keys or []
        self.leeway = leeway

    @classmethod
    def from_settings(cls, settings: Settings) -> JwtVerifier | None:
        """None when no JWT key material is configured; RuntimeError (one line) when it is unusable."""
        keys: list[_PublicKey] = []
        try:
            if settings.jwt_public_key_file:
                keys.append(load_public_key(settings.jwt_public_key_file))
            if settings.jwt_jwks_file:
                keys.extend(load_jwks(settings.jwt_jwks_file))
        except (OSError, ValueError, jwt.PyJWKError) as exc:
            raise RuntimeError(f"cannot load the JWT verification key: {exc}") from None
        if not keys and not settings.jwt_secret:
            return None
        if not settings.jwt_issuer:
            log.warning("JWT issuer not configured (SCANRULES_JWT_ISSUER): any issuer's tokens are accepted")
        return cls(
            audience=settings.jwt_audience,
            issuer=settings.jwt_issuer,
            secret=settings.jwt_secret,
            public_keys=keys,
            leeway=settings.jwt_leeway_seconds,
        )

    def _candidates(self, token: str) -> tuple[str, list[Any]]:
        try:
            header = jwt.get_unverified_header(token)
        except jwt.PyJWTError:
            raise AuthError("INVALID_TOKEN", "the bearer token is not a well-formed JWT") from None
        alg = header.get("alg")
        if alg == "HS256" and self.secret:
            return alg, [self.secret]
        if alg in ASYMMETRIC:
            kid = header.get("kid")
            keys = [k.key for k in self.public_keys if k.algorithm == alg and (kid is None or k.kid in (None, kid))]
            if keys:
                return alg, keys
        raise AuthError("INVALID_TOKEN", f"JWT algorithm {alg!r} is not accepted here (or no key matches)")

    def verify(self, token: str) -> dict[str, Any]:
        alg, keys = self._candidates(token)
        error: Exception | None = None
        for key in keys:
            try:
                claims: dict[str, Any] = jwt.decode(
                    token,
                    key,
                    algorithms=[alg],
                    audience=self.audience,
                    issuer=self.issuer,
                    leeway=self.leeway,
                    options={"require": ["exp", "sub"]},
                )
                return claims
            except jwt.InvalidSignatureError as exc:
                error = exc  # maybe the next key
            except jwt.PyJWTError as exc:
                for kind, reason, message in _JWT_REASONS:
                    if isinstance(exc, kind):
                        raise AuthError(reason, message) from None
                raise AuthError("INVALID_TOKEN", "the bearer token is not valid") from None
        raise AuthError("INVALID_TOKEN", "the bearer token's signature does not verify") from error


# ---- who is calling -------------------------------------------------------------------------------------


def principal_for(name: str, role: str) -> Principal:
    return Principal(name, role, ROLES[role])


#: The principal of every call when authentication is off (`--no-auth`).
UNAUTHENTICATED_ADMIN = Principal(ANONYMOUS, ADMIN, ROLES[ADMIN])


class Authenticator:
    def __init__(self, db: Database, jwt_verifier: JwtVerifier | None = None) -> None:
        self.db = db
        self.jwt = jwt_verifier

    async def authenticate(self, authorization: str | None) -> Principal:
        if not authorization:
            raise AuthError(
                "MISSING_CREDENTIALS", "no credentials: send `authorization: Bearer <API key or JWT>` metadata"
            )
        scheme, _, credential = authorization.strip().partition(" ")
        credential = credential.strip()
        if scheme.lower() != "bearer" or not credential:
            raise AuthError("INVALID_CREDENTIALS", "the authorization metadata must be `Bearer <token>`")
        if credential.startswith(API_KEY_PREFIX):
            return await self._api_key(credential)
        if credential.count(".") == 2:
            if self.jwt is None:
                raise AuthError("INVALID_CREDENTIALS", "JWT bearer tokens are not configured on this server")
            return self._jwt(credential)
        raise AuthError("INVALID_CREDENTIALS", "the bearer token is neither an API key nor a JWT")

    async def _api_key(self, key: str) -> Principal:
        async with self.db.transaction(write=False) as session:
            record = await key_repo.find_by_key(session, key)
        if record is None:
            raise AuthError("INVALID_CREDENTIALS", "unknown API key")
        now = datetime.now(UTC)
        state = record.state(now)
        if state == "REVOKED":
            raise AuthError("KEY_REVOKED", f"API key {record.key_id} has been revoked")
        if state == "EXPIRED":
            raise AuthError("KEY_EXPIRED", f"API key {record.key_id} has expired")
        if record.role not in ROLES:
            raise AuthError("INVALID_CREDENTIALS", f"API key {record.key_id} has an unknown role")
        if record.last_used_time is None or now - record.last_used_time >= LAST_USED_RESOLUTION:
            try:
                async with self.db.transaction() as session:
                    await key_repo.touch_api_key(session, record.key_id, now)
            except Exception:  # bookkeeping must never fail a call
                log.warning("could not record last use of API key %s", record.key_id, exc_info=True)
        return principal_for(record.principal, record.role)

    def _jwt(self, token: str) -> Principal:
        assert self.jwt is not None
        claims = self.jwt.verify(token)
        role = claims.get("role") or claims.get("scanrules_role")
        if not isinstance(role, str) or role not in ROLES:
            raise AuthError(
                "INVALID_ROLE_CLAIM", f"the token needs a `role` (or `scanrules_role`) claim: one of {', '.join(ROLES)}"
            )
        return principal_for(f"user:{claims['sub']}", role)


# ---- the interceptor ------------------------------------------------------------------------------------


def _authorization(context: Ctx) -> str | None:
    for key, value in context.invocation_metadata() or ():
        if key == "authorization":
            return value.decode("utf-8", "replace") if isinstance(value, bytes) else str(value)
    return None


class AuthInterceptor(grpc.aio.ServerInterceptor):  # type: ignore[misc]
    """Authenticates, then authorizes, every call to a method not in `open_methods`; sets the principal
    (`principal.current_principal`, `current_identity`) and the call (`audit.current_call`) for the handler.
    With `authenticator=None` (auth off) every caller is `anonymous` with the admin role."""

    def __init__(self, db: Database, authenticator: Authenticator | None, open_methods: tuple[str, ...]) -> None:
        self.db = db
        self.authenticator = authenticator
        self.open_methods = tuple(open_methods)

    async def admit(self, context: Ctx, method: str, request: Any) -> None:
        current_call.set(Call(method, context.peer() or ""))
        if self.authenticator is None:
            principal = UNAUTHENTICATED_ADMIN
        else:
            try:
                principal = await self.authenticator.authenticate(_authorization(context))
            except AuthError as exc:
                log.info("rpc=%s outcome=UNAUTHENTICATED reason=%s", method, exc.reason)
                await abort_with(context, rich_status(grpc.StatusCode.UNAUTHENTICATED, exc.message, exc.reason))
        current_principal.set(principal.name)
        current_identity.set(principal)
        permission = required_permission(method)
        if permission is not None and principal.can(permission):
            return
        log.info("rpc=%s outcome=PERMISSION_DENIED principal=%s permission=%s", method, principal.name, permission)
        if method in MUTATING_METHODS:
            await record_failure(self.db, method, request, "PERMISSION_DENIED")
        message = (
            f"role {principal.role!r} lacks permission {permission!r} for {method}"
            if permission
            else f"{method} is not open to any role"
        )
        await abort_with(
            context,
            rich_status(
                grpc.StatusCode.PERMISSION_DENIED,
                message,
                "PERMISSION_DENIED",
                {"permission": permission or "", "role": principal.role, "method": method},
            ),
        )

    async def intercept_service(
        self,
        continuation: Callable[[grpc.HandlerCallDetails], Awaitable[grpc.RpcMethodHandler]],
        handler_call_details: grpc.HandlerCallDetails,
    ) -> grpc.RpcMethodHandler:
        handler = await continuation(handler_call_details)
        method: str = handler_call_details.method
        if handler is None or is_open(method, self.open_methods):
            return handler
        admit = self.admit
        kinds = dict(request_deserializer=handler.request_deserializer, response_serializer=handler.response_serializer)
        if handler.unary_unary is not None:
            inner = handler.unary_unary

            async def unary_unary(request: Any, context: Ctx) -> Any:
                await admit(context, method, request)
                result = inner(request, context)
                return await result if inspect.isawaitable(result) else result

            return grpc.unary_unary_rpc_method_handler(unary_unary, **kinds)
        if handler.unary_stream is not None:
            inner_us = handler.unary_stream

            async def unary_stream(request: Any, context: Ctx) -> AsyncIterator[Any]:
                await admit(context, method, request)
                result = inner_us(request, context)
                if hasattr(result, "__aiter__"):
                    async for item in result:
                        yield item
                else:
                    await result

            return grpc.unary_stream_rpc_method_handler(unary_stream, **kinds)
        if handler.stream_unary is not None:
            inner_su = handler.stream_unary

            async def stream_unary(requests: Any, context: Ctx) -> Any:
                await admit(context, method, None)
                result = inner_su(requests, context)
                return await result if inspect.isawaitable(result) else result

            return grpc.stream_unary_rpc_method_handler(stream_unary, **kinds)
        inner_ss = handler.stream_stream

        async def stream_stream(requests: Any, context: Ctx) -> AsyncIterator[Any]:
            await admit(context, method, None)
            result = inner_ss(requests, context)
            if hasattr(result, "__aiter__"):
                async for item in result:
                    yield item
            else:
                await result

        return grpc.stream_stream_rpc_method_handler(stream_stream, **kinds)
