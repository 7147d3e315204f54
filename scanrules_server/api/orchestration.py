"""OrchestrationService: data sources here; scan jobs, ExecuteRules, findings and executions in
`scan_jobs.py`; schedules in `schedules.py` (their jobs are created by `orchestration.scheduler`)."""

from __future__ import annotations

from collections import defaultdict
from datetime import UTC, datetime
from typing import Any

from google.protobuf import field_mask_pb2
from scanrules.v1 import data_source_pb2, orchestration_service_pb2

from ..connectors.base import TableSchema
from ..domain.errors import FailedPreconditionError, InvalidArgumentError, Violation
from ..domain.resources import DataSource
from ..orchestration.orchestrator import Orchestrator
from ..orchestration.scheduler import Scheduler
from ..persistence import data_sources as repo
from ..persistence import scan_jobs as scan_repo
from ..persistence.idempotency import check_request_id
from ..secretbox import SecretBox
from ..services import data_sources as service
from .audit import ORCHESTRATION_SERVICE, audit, audited, rpc_name
from .context import Ctx, Database, check_order_by, resource_id
from .convert import duration, mask_paths, timestamp
from .errors import mapped_errors
from .pending import OrchestrationServicer as PendingOrchestration
from .scan_jobs import ScanJobRpcs
from .schedules import ScheduleRpcs

_audited = audited(ORCHESTRATION_SERVICE)


def _rpc(method: str) -> str:
    return rpc_name(ORCHESTRATION_SERVICE, method)


WRITABLE = ("display_name", "description", "uri", "password", "include", "exclude", "labels")
OUTPUT_ONLY = ("name", "create_time", "update_time", "etag", "kind", "password_set")


def to_proto(source: DataSource) -> data_source_pb2.DataSource:
    # The password is write-only: never copied out, only whether one is stored.
    return data_source_pb2.DataSource(
        name=source.name,
        display_name=source.display_name,
        description=source.description,
        uri=source.uri,
        include=source.include,
        exclude=source.exclude,
        labels=source.labels,
        kind=f"SOURCE_KIND_{source.kind or 'UNSPECIFIED'}",
        password_set=source.password_set,
        etag=source.etag,
        create_time=timestamp(source.create_time),
        update_time=timestamp(source.update_time),
    )


def fields_of(message: data_source_pb2.DataSource, paths: tuple[str, ...]) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for path in paths:
        value = getattr(message, path)
        out[path] = list(value) if path in ("include", "exclude") else dict(value) if path == "labels" else value
    return out


def schema_tree(tables: list[TableSchema], row_estimates: bool) -> list[data_source_pb2.SchemaInfo]:
    by_schema: dict[str, list[data_source_pb2.TableInfo]] = defaultdict(list)
    for t in tables:
        pk = set(t.primary_key)
        by_schema[t.schema].append(
            data_source_pb2.TableInfo(
                name=t.name,
                row_estimate=t.row_estimate if row_estimates and t.row_estimate is not None else -1,
                columns=[
                    data_source_pb2.ColumnInfo(name=c.name, type=c.type, comment=c.comment, primary_key=c.name in pk)
                    for c in t.columns
                ],
                primary_key=list(t.primary_key),
                foreign_keys=[
                    data_source_pb2.ForeignKey(
                        name=fk.name,
                        columns=list(fk.columns),
                        referenced_schema=fk.referenced_schema,
                        referenced_table=fk.referenced_table,
                        referenced_columns=list(fk.referenced_columns),
                    )
                    for fk in t.foreign_keys
                ],
            )
        )
    return [data_source_pb2.SchemaInfo(name=name, tables=items) for name, items in sorted(by_schema.items())]


class OrchestrationServicer(ScheduleRpcs, ScanJobRpcs, PendingOrchestration):  # type: ignore[misc]
    def __init__(
        self,
        db: Database,
        box: SecretBox,
        orchestrator: Orchestrator | None = None,
        scheduler: Scheduler | None = None,
    ) -> None:
        self.db = db
        self.box = box
        self.orchestrator = orchestrator or Orchestrator(db, box)
        self.scheduler = scheduler or Scheduler(db, self.orchestrator)

    @mapped_errors
    @_audited
    async def CreateDataSource(
        self, request: orchestration_service_pb2.CreateDataSourceRequest, context: Ctx
    ) -> orchestration_service_pb2.CreateDataSourceResponse:
        request_id = check_request_id(request.request_id)
        fields = fields_of(request.data_source, WRITABLE)
        async with self.db.transaction(rollback=request.validate_only) as session:
            source = await service.create(session, self.box, request.data_source_id, fields, request_id)
            await audit(session, _rpc("CreateDataSource"), source.name, request_id=request_id)
        return orchestration_service_pb2.CreateDataSourceResponse(data_source=to_proto(source))

    @mapped_errors
    async def GetDataSource(
        self, request: orchestration_service_pb2.GetDataSourceRequest, context: Ctx
    ) -> orchestration_service_pb2.GetDataSourceResponse:
        source_id = resource_id(request.name, "dataSources")
        async with self.db.transaction(write=False) as session:
            source = await repo.get_data_source(session, source_id)
        return orchestration_service_pb2.GetDataSourceResponse(data_source=to_proto(source))

    @mapped_errors
    async def ListDataSources(
        self, request: orchestration_service_pb2.ListDataSourcesRequest, context: Ctx
    ) -> orchestration_service_pb2.ListDataSourcesResponse:
        check_order_by(request.order_by)
        async with self.db.transaction(write=False) as session:
            items, token = await repo.list_data_sources(session, request.page_size, request.page_token, request.filter)
        return orchestration_service_pb2.ListDataSourcesResponse(
            data_sources=[to_proto(s) for s in items], next_page_token=token
        )

    @mapped_errors
    @_audited
    async def UpdateDataSource(
        self, request: orchestration_service_pb2.UpdateDataSourceRequest, context: Ctx
    ) -> orchestration_service_pb2.UpdateDataSourceResponse:
        source_id = resource_id(request.data_source.name, "dataSources", "data_source.name")
        mask = request.update_mask if request.update_mask.paths else field_mask_pb2.FieldMask(paths=["*"])
        paths = mask_paths(mask, WRITABLE, OUTPUT_ONLY, "data_source")
        if paths == WRITABLE and not request.data_source.password:
            paths = tuple(p for p in paths if p != "password")  # a full update keeps the stored password
        async with self.db.transaction() as session:
            source = await service.update(
                session, self.box, source_id, fields_of(request.data_source, paths), request.data_source.etag or None
            )
            await audit(session, _rpc("UpdateDataSource"), source.name)
        return orchestration_service_pb2.UpdateDataSourceResponse(data_source=to_proto(source))

    @mapped_errors
    @_audited
    async def DeleteDataSource(
        self, request: orchestration_service_pb2.DeleteDataSourceRequest, context: Ctx
    ) -> orchestration_service_pb2.DeleteDataSourceResponse:
        source_id = resource_id(request.name, "dataSources")
        async with self.db.transaction() as session:
            users = await scan_repo.users_of_source(session, source_id)
            if users:
                raise FailedPreconditionError(
                    f"{request.name} is in use by {', '.join(users)}: end or change them first"
                )
            await repo.delete_data_source(session, source_id, request.etag or None)
            await audit(session, _rpc("DeleteDataSource"), request.name)
        return orchestration_service_pb2.DeleteDataSourceResponse()

    @mapped_errors
    async def TestDataSourceConnection(
        self, request: orchestration_service_pb2.TestDataSourceConnectionRequest, context: Ctx
    ) -> orchestration_service_pb2.TestDataSourceConnectionResponse:
        if request.WhichOneof("source") == "name":
            async with self.db.transaction(write=False) as session:
                stored = await repo.get_data_source(session, resource_id(request.name, "dataSources"))
            uri, password = stored.uri, self.box.open(stored.secret) or None
        elif request.WhichOneof("source") == "data_source":
            split = service.split_uri(request.data_source.uri)
            uri, password = split.uri, request.data_source.password or split.password
        else:
            raise InvalidArgumentError([Violation("source", "give the name of a data source or an inline one")])
        check, elapsed = await service.test_connection(uri, password)
        return orchestration_service_pb2.TestDataSourceConnectionResponse(
            reachable=check.reachable,
            authenticated=check.authenticated,
            read_only=check.read_only,
            latency=duration(check.latency_s or elapsed),
            message=check.message,
        )

    @mapped_errors
    async def DiscoverDataSource(
        self, request: orchestration_service_pb2.DiscoverDataSourceRequest, context: Ctx
    ) -> orchestration_service_pb2.DiscoverDataSourceResponse:
        async with self.db.transaction(write=False) as session:
            source = await repo.get_data_source(session, resource_id(request.name, "dataSources"))
        tables = await service.discover(source, self.box)
        return orchestration_service_pb2.DiscoverDataSourceResponse(
            schemas=schema_tree(tables, request.include_row_estimates),
            discover_time=timestamp(datetime.now(UTC)),
        )
