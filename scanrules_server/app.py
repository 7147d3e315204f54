"""Build and run the gRPC server: servicers, health, reflection, metrics, graceful stop."""

from __future__ import annotations

import asyncio
import logging
import signal
from dataclasses import dataclass
from typing import Any

import grpc
from grpc_health.v1 import health, health_pb2, health_pb2_grpc
from grpc_reflection.v1alpha import reflection
from prometheus_client import start_http_server
from scanrules.v1 import (
    monitoring_service_pb2,
    monitoring_service_pb2_grpc,
    orchestration_service_pb2,
    orchestration_service_pb2_grpc,
    rule_service_pb2,
    rule_service_pb2_grpc,
)

from .api.auth import Authenticator, AuthInterceptor, JwtVerifier
from .api.context import Database
from .api.limits import Limits, LimitsInterceptor
from .api.metrics import MetricsInterceptor, RpcMetrics
from .api.monitoring import MonitoringServicer
from .api.orchestration import OrchestrationServicer
from .api.ratelimit import RateLimitInterceptor
from .api.rule_service import RuleServicer
from .api.tokens import ensure_admin_key
from .orchestration.executors import DaskExecutor, Executor
from .orchestration.orchestrator import Orchestrator
from .orchestration.scheduler import Scheduler
from .persistence import migrate
from .persistence import patterns as pattern_repo
from .persistence.db import make_engine, make_session_factory
from .secretbox import SecretBox, load_key
from .services.patterns import builtin_pattern_rows
from .services.rules import seed_builtin
from .settings import Settings
from .tls import check_bind, is_loopback, server_credentials

log = logging.getLogger("scanrules.server")

SERVICE_NAMES = (
    rule_service_pb2.DESCRIPTOR.services_by_name["RuleService"].full_name,
    orchestration_service_pb2.DESCRIPTOR.services_by_name["OrchestrationService"].full_name,
    monitoring_service_pb2.DESCRIPTOR.services_by_name["MonitoringService"].full_name,
)


@dataclass
class Running:
    server: grpc.aio.Server
    port: int
    db: Database
    metrics: RpcMetrics
    health: health.aio.HealthServicer
    #: The admin API key created on this first start (auth on, no key in the database yet), else None.
    admin_key: str | None = None
    #: Runs scan jobs' work units (started with the server).
    orchestrator: Orchestrator | None = None
    #: Creates the scan jobs of due schedules (started with the server).
    scheduler: Scheduler | None = None

    async def stop(self, grace: float | None = None) -> None:
        await self.health.enter_graceful_shutdown()
        await self.server.stop(grace)
        if self.scheduler is not None:
            await self.scheduler.stop()
        if self.orchestrator is not None:
            await self.orchestrator.stop()
        await self.db.engine.dispose()


async def prepare_database(settings: Settings) -> Database:
    """Migrate (embedded default, or when asked), then seed the built-in rules and patterns."""
    should_migrate = settings.migrate if settings.migrate is not None else settings.is_sqlite
    if should_migrate:
        await migrate.upgrade(settings.database_url)
    engine = make_engine(settings.database_url)
    db = Database(engine, make_session_factory(engine))
    current = await migrate.current_revision(settings.database_url)
    if current not in migrate.heads():
        await engine.dispose()
        raise RuntimeError(
            f"database schema is at {current or 'nothing'}, not {', '.join(migrate.heads())}: run `scanrules migrate`"
        )
    async with db.transaction() as session:
        await pattern_repo.seed_builtin_patterns(session, builtin_pattern_rows())
        await seed_builtin(session)
    return db


async def connect_executors(settings: Settings) -> dict[str, Executor]:
    """The executors besides `local` (which starts on first use): with `executor = dask`, a client connected
    to `dask_address`, made in a thread (connecting blocks). RuntimeError with the address and the reason."""
    if settings.executor == "local":
        return {}
    if settings.executor != "dask":
        raise RuntimeError(f"unknown executor {settings.executor!r}: local or dask")
    if not settings.dask_address:
        raise RuntimeError("executor dask needs a scheduler address (--dask-address tcp://HOST:PORT)")
    dask = await asyncio.to_thread(DaskExecutor, settings.dask_address, timeout=settings.dask_connect_timeout)
    log.info("dask executor connected address=%s threads=%d", settings.dask_address, dask.workers)
    return {"dask": dask}


async def create_server(settings: Settings) -> Running:
    """A started server on `settings.host:settings.port` (port 0 picks a free one).

    Raises RuntimeError (one line) when TLS files are bad, or when a non-loopback host has no TLS and not `insecure`.
    """
    credentials = server_credentials(settings)
    check_bind(settings, tls=credentials is not None)
    if credentials is None and not is_loopback(settings.host):
        log.warning(
            "serving plaintext on %s (--insecure): anyone on the network can read and forge calls", settings.host
        )
    limits = Limits.from_settings(settings)
    jwt_verifier = JwtVerifier.from_settings(settings) if settings.auth_enabled else None
    if not settings.auth_enabled:
        if not is_loopback(settings.host) and not settings.insecure:
            raise RuntimeError(f"refusing to serve without authentication on {settings.host}: add --insecure")
        log.warning("AUTHENTICATION IS OFF (--no-auth): every caller is an admin; for local experiments only")
    db = await prepare_database(settings)
    authenticator = Authenticator(db, jwt_verifier) if settings.auth_enabled else None
    # The embedded default, or an explicitly configured key file, gets a key on first start.
    box = SecretBox(load_key(settings.key_file(), create=settings.is_sqlite or bool(settings.secret_key_file)))
    metrics = RpcMetrics()
    options: list[tuple[str, Any]] = [
        ("grpc.max_receive_message_length", settings.max_message_bytes),
        ("grpc.max_send_message_length", settings.max_message_bytes),
    ]
    # Outermost first. Authentication belongs before RateLimitInterceptor (which reads the principal).
    interceptors: list[grpc.aio.ServerInterceptor] = [
        MetricsInterceptor(metrics),
        AuthInterceptor(db, authenticator, settings.open_methods),
    ]
    if settings.rate_limit_per_second > 0 and settings.rate_limit_burst > 0:
        interceptors.append(RateLimitInterceptor(settings.rate_limit_per_second, settings.rate_limit_burst))
    interceptors.append(LimitsInterceptor(limits))
    server = grpc.aio.server(interceptors=interceptors, options=options)
    rule_service_pb2_grpc.add_RuleServiceServicer_to_server(RuleServicer(db, limits), server)  # type: ignore[no-untyped-call]
    try:
        executors = await connect_executors(settings)
    except RuntimeError:
        await db.engine.dispose()
        raise
    orchestrator = Orchestrator(db, box, executors, default_executor=settings.executor)
    scheduler = Scheduler(db, orchestrator)
    orchestration_service_pb2_grpc.add_OrchestrationServiceServicer_to_server(  # type: ignore[no-untyped-call]
        OrchestrationServicer(db, box, orchestrator, scheduler), server
    )
    monitoring_service_pb2_grpc.add_MonitoringServiceServicer_to_server(MonitoringServicer(db), server)  # type: ignore[no-untyped-call]
    health_servicer = health.aio.HealthServicer()
    health_pb2_grpc.add_HealthServicer_to_server(health_servicer, server)
    reflection.enable_server_reflection(
        (*SERVICE_NAMES, health_pb2.DESCRIPTOR.services_by_name["Health"].full_name, reflection.SERVICE_NAME), server
    )
    address = f"{settings.host}:{settings.port}"
    port = server.add_insecure_port(address) if credentials is None else server.add_secure_port(address, credentials)
    if port == 0:
        for executor in executors.values():
            await asyncio.to_thread(executor.shutdown)
        await db.engine.dispose()
        raise RuntimeError(f"cannot listen on {settings.host}:{settings.port}")
    admin_key = await ensure_admin_key(db) if settings.auth_enabled else None
    await orchestrator.start()  # units left RUNNING by a crash go back to PENDING first
    await scheduler.start()  # schedules missed while the server was down fire once
    await server.start()
    for name in ("", *SERVICE_NAMES):
        await health_servicer.set(name, health_pb2.HealthCheckResponse.SERVING)
    return Running(server, port, db, metrics, health_servicer, admin_key, orchestrator, scheduler)


async def serve(settings: Settings) -> None:
    """Run until SIGTERM or SIGINT, then drain in-flight calls for `grace_seconds`."""
    running = await create_server(settings)
    if running.admin_key:
        print(f"admin api key: {running.admin_key}", flush=True)  # shown once, never stored
    if settings.metrics_port:
        start_http_server(settings.metrics_port, addr=settings.host, registry=running.metrics.registry)
        log.info("metrics listening port=%d", settings.metrics_port)
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for sig in (signal.SIGTERM, signal.SIGINT):
        loop.add_signal_handler(sig, stop.set)
    print(f"listening on {settings.host}:{running.port}", flush=True)
    log.info(
        "server started host=%s port=%d database=%s", settings.host, running.port, _redacted(settings.database_url)
    )
    await stop.wait()
    log.info("server stopping grace_seconds=%s", settings.grace_seconds)
    await running.stop(settings.grace_seconds)


def _redacted(url: str) -> str:
    """The database URL without a password."""
    scheme, sep, rest = url.partition("://")
    if "@" in rest and ":" in rest.split("@", 1)[0]:
        user = rest.split("@", 1)[0].split(":", 1)[0]
        rest = f"{user}:***@{rest.split('@', 1)[1]}"
    return scheme + sep + rest
