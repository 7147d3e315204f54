"""``scanrules-ctl scan ...``: create, inspect, cancel, retry and watch scan jobs, and list their findings.

Registered by `scanrules_client.ctl.build_parser`; output formats, errors and exit codes follow ``ctl``. ``scan watch``
(and ``scan create --watch``) consume the async SDK's ``WatchScanJob`` stream and show a live ``rich`` progress bar on a
terminal, else one plain line per event (one JSON object per line with ``--output json``); they end when the job
reaches a terminal state and exit with `WATCH_EXIT_CODES`: 0 SUCCEEDED, 4 FAILED, 5 PARTIALLY_SUCCEEDED,
6 CANCELLED (1 if the stream ended before a terminal state). RPC errors exit as everywhere in ``ctl``: e.g. watching a
missing job exits 2 (NOT_FOUND), cancelling a finished one exits 2 (FAILED_PRECONDITION).
"""

from __future__ import annotations

import argparse
import asyncio
import json
from collections.abc import Callable, Iterable
from typing import Any

from google.protobuf.json_format import MessageToDict
from scanrules.v1 import finding_pb2, rule_set_pb2, scan_job_pb2
from scanrules.v1 import orchestration_service_pb2 as orch

from ._client import ScanRulesClient
from ._sync import SyncScanRulesClient
from .ctl import Output, _credentials, _is_terminal, _threshold, enum_text, resource_name, timestamp_text

__all__ = ["TERMINAL_STATES", "WATCH_EXIT_CODES", "add_scan_commands"]

State = scan_job_pb2.ScanJob.State
Strategy = scan_job_pb2.ScanJob.Strategy
EventType = orch.WatchScanJobResponse.EventType

#: Exit code of ``scan watch`` / ``scan create --watch`` by the job's terminal state.
WATCH_EXIT_CODES: dict[int, int] = {
    State.STATE_SUCCEEDED: 0,
    State.STATE_FAILED: 4,
    State.STATE_PARTIALLY_SUCCEEDED: 5,
    State.STATE_CANCELLED: 6,
}
TERMINAL_STATES = frozenset(WATCH_EXIT_CODES)
#: Exit code when the watch stream ends without a terminal state (it should not).
WATCH_INCOMPLETE_EXIT = 1

STRATEGIES = {
    "parallel": Strategy.STRATEGY_PARALLEL,
    "sequential": Strategy.STRATEGY_SEQUENTIAL,
    "adaptive": Strategy.STRATEGY_ADAPTIVE,
}

Handler = Callable[[SyncScanRulesClient, argparse.Namespace, Output], int]
Command = Callable[[Any, str, Handler, str], argparse.ArgumentParser]


# ------------------------------------------------------------------------------------------------ text


def state_text(state: int) -> str:
    """``SUCCEEDED`` for ``STATE_SUCCEEDED``."""
    return enum_text(scan_job_pb2.ScanJob.State.DESCRIPTOR, state)


def percent_text(value: float) -> str:
    """``100%``, ``27.9%``, ``50%``: one decimal at most, no trailing zeros."""
    return f"{value:.1f}".rstrip("0").rstrip(".") + "%"


def eta_text(job: scan_job_pb2.ScanJob) -> str:
    """The server's estimate of the time remaining as ``m:ss`` (``h:mm:ss`` past an hour), ``-`` while unknown."""
    if not job.HasField("eta"):
        return "-"
    seconds = max(0, round(job.eta.ToTimedelta().total_seconds()))
    hours, rest = divmod(seconds, 3600)
    minutes, secs = divmod(rest, 60)
    return f"{hours}:{minutes:02d}:{secs:02d}" if hours else f"{minutes}:{secs:02d}"


def units_finished(job: scan_job_pb2.ScanJob) -> int:
    return int(job.units_succeeded + job.units_failed)


def progress_line(event: orch.WatchScanJobResponse) -> str:
    """One event as a plain line: time, event, state, units, percent, findings, ETA, and the unit or detail."""
    job = event.scan_job
    parts = [
        timestamp_text(event.event_time) or "-",
        enum_text(EventType.DESCRIPTOR, event.event_type) or "-",
        state_text(job.state),
        f"{units_finished(job)}/{job.units_total} units",
        percent_text(job.progress_percent),
        f"{job.finding_count} findings",
        f"eta {eta_text(job)}",
    ]
    extra = event.work_unit or (
        f"{event.finding.classification} {event.finding.table}.{event.finding.column}"
        if event.HasField("finding")
        else ""
    )
    if event.detail:
        extra = f"{extra} ({event.detail})" if extra else event.detail
    if extra:
        parts.append(" ".join(extra.split()))
    return "  ".join(parts)


def summary_line(job: scan_job_pb2.ScanJob) -> str:
    """The final line of a watch: state, units, findings, rows, and the error message if any."""
    line = (
        f"{job.name} {state_text(job.state)}: {units_finished(job)}/{job.units_total} units "
        f"({job.units_failed} failed), {percent_text(job.progress_percent)}, {job.finding_count} findings, "
        f"{job.rows_scanned} rows scanned"
    )
    if job.error_message:
        line += f"; {' '.join(job.error_message.split())}"
    return line


_JOB_COLUMNS = ["NAME", "STATE", "PROGRESS", "UNITS", "FAILED", "FINDINGS", "RULE SET", "DATA SOURCES", "CREATED"]


def _job_rows(jobs: Iterable[scan_job_pb2.ScanJob]) -> list[list[str]]:
    return [
        [
            j.name,
            state_text(j.state),
            percent_text(j.progress_percent),
            f"{units_finished(j)}/{j.units_total}",
            str(j.units_failed),
            str(j.finding_count),
            j.rule_set or ", ".join(j.rules),
            ", ".join(j.data_sources),
            timestamp_text(j.create_time),
        ]
        for j in jobs
    ]


def _show_job(out: Output, job: scan_job_pb2.ScanJob) -> None:
    if out.json:
        out.message_json(job)
    else:
        out.record(job)


# ------------------------------------------------------------------------------------------------ watch


class _PlainWatch:
    """One line per event: plain text, or one compact JSON object per line with ``--output json``."""

    def __init__(self, out: Output) -> None:
        self.out = out

    def __enter__(self) -> _PlainWatch:
        return self

    def __exit__(self, *exc: object) -> None:
        return None

    def event(self, event: orch.WatchScanJobResponse) -> None:
        if self.out.json:
            doc = MessageToDict(event, preserving_proto_field_name=True)
            print(json.dumps(doc, separators=(",", ":"), ensure_ascii=False), flush=True)
        else:
            print(progress_line(event), flush=True)


class _RichWatch:
    """A live ``rich`` progress bar: units finished/total, percent, findings so far, ETA and state."""

    def __init__(self, name: str) -> None:
        from rich.console import Console
        from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn

        self.progress = Progress(
            TextColumn("{task.description}"),
            BarColumn(),
            MofNCompleteColumn(),
            TextColumn("units"),
            TextColumn("{task.fields[percent]:>6}"),
            TextColumn("{task.fields[findings]} findings"),
            TextColumn("ETA {task.fields[eta]}"),
            TextColumn("[bold]{task.fields[state]}"),
            console=Console(highlight=False),
            transient=False,
        )
        self.task = self.progress.add_task(name, total=None, percent="0%", findings=0, eta="-", state="")

    def __enter__(self) -> _RichWatch:
        self.progress.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.progress.stop()

    def event(self, event: orch.WatchScanJobResponse) -> None:
        job = event.scan_job
        self.progress.update(
            self.task,
            total=job.units_total or None,
            completed=units_finished(job),
            percent=percent_text(job.progress_percent),
            findings=job.finding_count,
            eta=eta_text(job),
            state=state_text(job.state),
        )
        console = self.progress.console
        if event.event_type == EventType.EVENT_TYPE_UNIT_FINISHED and not event.detail.endswith(" SUCCEEDED"):
            console.print(f"{event.work_unit}: {' '.join(event.detail.split())}", highlight=False)  # its error
        elif event.event_type == EventType.EVENT_TYPE_FINDING and event.HasField("finding"):
            f = event.finding
            console.print(f"found {f.classification} in {f.table}.{f.column} ({f.confidence:.2f})", highlight=False)


def _use_progress_bar(args: argparse.Namespace, out: Output) -> bool:
    if out.json or getattr(args, "no_progress", False) or not _is_terminal():
        return False
    try:
        import rich.progress  # noqa: F401 - optional, as for ctl's tables
    except ImportError:  # pragma: no cover - rich is optional for the SDK
        return False
    return True


async def _watch_async(
    client: SyncScanRulesClient, args: argparse.Namespace, out: Output, name: str
) -> scan_job_pb2.ScanJob | None:
    last: scan_job_pb2.ScanJob | None = None
    display: _PlainWatch | _RichWatch = _RichWatch(name) if _use_progress_bar(args, out) else _PlainWatch(out)
    async with ScanRulesClient.connect(
        client.target,
        credentials=_credentials(args),
        token=args.token,
        timeout=args.timeout,
        connect_timeout=min(args.timeout, 5.0),
    ) as aclient:
        stream = aclient.orchestration.watch_scan_job(orch.WatchScanJobRequest(name=name))
        async with stream:
            first = await anext(stream, None)  # a NOT_FOUND fails here, before any display starts
            if first is None:
                return None
            with display:
                display.event(first)
                last = first.scan_job
                async for event in stream:
                    display.event(event)
                    last = event.scan_job
    return last


def watch_job(client: SyncScanRulesClient, args: argparse.Namespace, out: Output, name: str) -> int:
    """Watches `name` until it ends; the exit code of its terminal state (`WATCH_EXIT_CODES`)."""
    job = asyncio.run(_watch_async(client, args, out, name))
    if job is None or job.state not in TERMINAL_STATES:
        if not out.json:
            out.line(f"{name}: the watch ended before the job reached a terminal state")
        return WATCH_INCOMPLETE_EXIT
    if not out.json:
        out.line(summary_line(job))
    return WATCH_EXIT_CODES[job.state]


# --------------------------------------------------------------------------------------------- handlers


def scan_create(client: SyncScanRulesClient, args: argparse.Namespace, out: Output) -> int:
    job = scan_job_pb2.ScanJob(
        rule_set=resource_name("ruleSets", args.rule_set),
        data_sources=[resource_name("dataSources", s) for s in args.source],
    )
    if args.display_name:
        job.display_name = args.display_name
    if args.priority is not None:
        job.priority = args.priority
    if args.strategy is not None:
        job.strategy = STRATEGIES[args.strategy]
    if args.sample_size is not None:
        job.policy_override.CopyFrom(rule_set_pb2.ScanPolicy(sample_size=args.sample_size))
    request = orch.CreateScanJobRequest(scan_job=job, scan_job_id=args.scan_job_id or "")
    created = client.orchestration.create_scan_job(request).scan_job
    if not args.watch:
        _show_job(out, created)
        return 0
    if not out.json:
        out.line(f"created {created.name}: {created.units_total} units, rule set {created.rule_set}")
    return watch_job(client, args, out, created.name)


def scan_get(client: SyncScanRulesClient, args: argparse.Namespace, out: Output) -> int:
    name = resource_name("scanJobs", args.name)
    _show_job(out, client.orchestration.get_scan_job(orch.GetScanJobRequest(name=name)).scan_job)
    return 0


def scan_list(client: SyncScanRulesClient, args: argparse.Namespace, out: Output) -> int:
    jobs = list(
        client.orchestration.iter_scan_jobs(filter=args.filter, order_by=args.order_by, page_size=args.page_size)
    )
    if out.json:
        out.messages_json("scan_jobs", jobs)
    else:
        out.table(_JOB_COLUMNS, _job_rows(jobs))
    return 0


def scan_cancel(client: SyncScanRulesClient, args: argparse.Namespace, out: Output) -> int:
    name = resource_name("scanJobs", args.name)
    job = client.orchestration.cancel_scan_job(orch.CancelScanJobRequest(name=name, reason=args.reason or "")).scan_job
    if out.json:
        out.message_json(job)
    else:
        out.line(f"cancelled {job.name}: {state_text(job.state)}, {units_finished(job)}/{job.units_total} units")
    return 0


def scan_retry(client: SyncScanRulesClient, args: argparse.Namespace, out: Output) -> int:
    name = resource_name("scanJobs", args.name)
    _show_job(out, client.orchestration.retry_scan_job(orch.RetryScanJobRequest(name=name)).scan_job)
    return 0


def findings_filter(filter_text: str, min_confidence: float | None) -> str:
    """`filter_text` AND ``confidence >= min_confidence`` (either may be absent)."""
    parts = [f"({filter_text})"] if filter_text.strip() else []
    if min_confidence is not None:
        parts.append(f"confidence >= {min_confidence:g}")
    return " AND ".join(parts)


def _finding_rows(findings: Iterable[finding_pb2.Finding]) -> list[list[str]]:
    return [
        [
            f.name.rsplit("/", 1)[-1],
            f.classification,
            f.data_source,
            f.table,
            f.column,
            f"{f.confidence:.2f}",
            f"{f.matched}/{f.sampled}",
            f.rule,
        ]
        for f in findings
    ]


def scan_findings(client: SyncScanRulesClient, args: argparse.Namespace, out: Output) -> int:
    parent = resource_name("scanJobs", args.name)
    findings = list(
        client.orchestration.iter_findings(
            parent,
            filter=findings_filter(args.filter, args.min_confidence),
            order_by=args.order_by,
            page_size=args.page_size,
        )
    )
    if out.json:
        out.messages_json("findings", findings)
    else:
        columns = ["FINDING", "CLASSIFICATION", "DATA SOURCE", "TABLE", "COLUMN", "CONFIDENCE", "MATCHED", "RULE"]
        out.table(columns, _finding_rows(findings), title=f"{len(findings)} findings")
    return 0


def scan_watch(client: SyncScanRulesClient, args: argparse.Namespace, out: Output) -> int:
    return watch_job(client, args, out, resource_name("scanJobs", args.name))


# ----------------------------------------------------------------------------------------------- parser


def _add_list_options(parser: argparse.ArgumentParser, order_by_help: str) -> None:
    parser.add_argument("--filter", default="", help="AIP-160 filter expression")
    parser.add_argument("--order-by", default="", help=f"sort order (default {order_by_help})")
    parser.add_argument("--page-size", type=int, default=0, help="items per page (all pages are fetched)")


def _add_watch_options(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--no-progress",
        action="store_true",
        help="one plain line per event instead of a progress bar (the default when stdout is not a terminal)",
    )


def add_scan_commands(groups: Any, command: Command) -> None:
    """Adds the ``scan`` group to the ``scanrules-ctl`` subparsers `groups`, using ctl's `command` factory."""
    scan = groups.add_parser("scan", help="scan jobs and their findings").add_subparsers(
        dest="command", metavar="ACTION", required=True
    )
    cmd = command(scan, "create", scan_create, "create a scan job (optionally watch it to the end)")
    cmd.add_argument("--rule-set", required=True, metavar="RULE_SET", help="'ruleSets/x', 'x' or 'ruleSets/x@3'")
    cmd.add_argument(
        "--source",
        action="append",
        required=True,
        metavar="SOURCE",
        help="data source, 'dataSources/x' or 'x' (repeatable)",
    )
    cmd.add_argument("--priority", type=int, choices=range(1, 11), metavar="1-10", help="default: the rule set's")
    cmd.add_argument("--strategy", choices=sorted(STRATEGIES), help="default: the server's (adaptive)")
    cmd.add_argument("--sample-size", type=int, help="rows per table, overriding the rule set's policy")
    cmd.add_argument("--id", dest="scan_job_id", metavar="ID", help="the job's id (default: server-generated)")
    cmd.add_argument("--display-name")
    cmd.add_argument("--watch", action="store_true", help="watch the job until it ends; exit code as 'scan watch'")
    _add_watch_options(cmd)
    cmd = command(scan, "get", scan_get, "show a scan job with its progress")
    cmd.add_argument("name", metavar="NAME", help="'scanJobs/x' or 'x'")
    cmd = command(scan, "list", scan_list, "list scan jobs (all pages)")
    _add_list_options(cmd, "'create_time desc'")
    cmd = command(scan, "cancel", scan_cancel, "cancel a scan job (a finished job: FAILED_PRECONDITION, exit 2)")
    cmd.add_argument("name", metavar="NAME")
    cmd.add_argument("--reason", help="why, kept in the audit log")
    cmd = command(scan, "retry", scan_retry, "re-queue the failed and cancelled units of a finished job")
    cmd.add_argument("name", metavar="NAME")
    cmd = command(scan, "findings", scan_findings, "list a scan job's findings (all pages)")
    cmd.add_argument("name", metavar="NAME", help="'scanJobs/x', 'x', or '-' for every job")
    _add_list_options(cmd, "'confidence desc'")
    cmd.add_argument("--min-confidence", type=_threshold, metavar="X", help="only findings with confidence >= X")
    cmd = command(
        scan,
        "watch",
        scan_watch,
        "watch a scan job until it ends (exit 0 SUCCEEDED, 4 FAILED, 5 PARTIALLY_SUCCEEDED, 6 CANCELLED)",
    )
    cmd.add_argument("name", metavar="NAME")
    _add_watch_options(cmd)
