# syntax=docker/dockerfile:1
# scanrules gRPC service. Build: docker build -t scanrules .
# Run:   docker run -p 50051:50051 -p 9090:9090 -v scanrules-data:/data scanrules

# --- builder: compilers and build tooling stay here --------------------------------------
FROM python:3.11-slim AS builder

ENV PIP_NO_CACHE_DIR=1 \
    PIP_DISABLE_PIP_VERSION_CHECK=1 \
    PYTHONDONTWRITEBYTECODE=1

# For dependencies without a wheel for this platform; most install from wheels.
RUN apt-get update \
    && apt-get install -y --no-install-recommends build-essential \
    && rm -rf /var/lib/apt/lists/*

RUN python -m venv /opt/venv
ENV PATH=/opt/venv/bin:$PATH
RUN pip install --upgrade pip setuptools wheel

WORKDIR /src
# Only what `pip install .` needs (see [tool.setuptools] in pyproject.toml).
COPY pyproject.toml README.md ./
COPY generated ./generated
COPY scanrules_server ./scanrules_server
COPY scanrules_client ./scanrules_client
RUN pip install . \
    && python -c "import scanrules.v1, scanrules_server.app, grpc_health.v1.health_pb2"

# --- runtime --------------------------------------------------------------------------------
FROM python:3.11-slim

ENV PATH=/opt/venv/bin:$PATH \
    PYTHONUNBUFFERED=1 \
    PYTHONDONTWRITEBYTECODE=1 \
    SCANRULES_DATABASE_URL=sqlite+aiosqlite:////data/scanrules.db \
    SCANRULES_HEALTH_TARGET=127.0.0.1:50051

COPY --from=builder /opt/venv /opt/venv

RUN groupadd --system --gid 10001 scanrules \
    && useradd --system --uid 10001 --gid scanrules --home-dir /data --no-create-home --shell /usr/sbin/nologin scanrules \
    && mkdir -p /data \
    && chown scanrules:scanrules /data

WORKDIR /data
VOLUME ["/data"]

EXPOSE 50051 9090

# gRPC health (grpc.health.v1.Health/Check, overall server status) via grpcio-health-checking.
# SCANRULES_HEALTH_TARGET follows a changed --port. The first start migrates and seeds (~10 s).
HEALTHCHECK --interval=30s --timeout=5s --start-period=60s --retries=3 \
    CMD ["python", "-c", "import os,sys,grpc;from grpc_health.v1 import health_pb2 as h,health_pb2_grpc as g;c=grpc.insecure_channel(os.environ.get('SCANRULES_HEALTH_TARGET','127.0.0.1:50051'));r=g.HealthStub(c).Check(h.HealthCheckRequest(),timeout=4);sys.exit(r.status!=h.HealthCheckResponse.SERVING)"]

USER scanrules

ENTRYPOINT ["scanrules"]
CMD ["serve", "--host", "0.0.0.0", "--port", "50051", "--metrics-port", "9090"]
