"""Async sub-clients, one per service: explicit methods, one per RPC (`tests/client/test_coverage.py` checks
that every RPC in the descriptors has one, with the right request and response types)."""

from __future__ import annotations

from collections.abc import AsyncIterator

from scanrules.v1 import (
    audit_event_pb2,
    classification_pb2,
    data_source_pb2,
    execution_pb2,
    finding_pb2,
    monitoring_service_pb2,
    orchestration_service_pb2,
    pattern_pb2,
    rule_pb2,
    rule_service_pb2,
    rule_set_pb2,
    scan_job_pb2,
    schedule_pb2,
)

from ._aio import AsyncResponseStream, AsyncServiceClient
from ._paging import paginate

__all__ = ["MonitoringClient", "OrchestrationClient", "RulesClient"]


class RulesClient(AsyncServiceClient):
    """Async client of ``scanrules.v1.RuleService``, reached as ``ScanRulesClient.rules``.

    One method per RPC, named after it in snake_case, taking the request message and returning the response
    message; ``timeout`` (seconds) overrides the client's default deadline. List RPCs also have an ``iter_*``
    helper that follows the page tokens. Failures raise `ScanRulesError` subclasses.
    """

    SERVICE = "scanrules.v1.RuleService"

    async def create_rule(
        self, request: rule_service_pb2.CreateRuleRequest, *, timeout: float | None = None
    ) -> rule_service_pb2.CreateRuleResponse:
        """``RuleService.CreateRule``: Creates a rule after parsing and analysing its expression. Fails with
        INVALID_ARGUMENT listing every problem, or ALREADY_EXISTS if ``rule_id`` is taken."""
        return await self._unary("CreateRule", request, rule_service_pb2.CreateRuleResponse, timeout)

    async def get_rule(
        self, request: rule_service_pb2.GetRuleRequest, *, timeout: float | None = None
    ) -> rule_service_pb2.GetRuleResponse:
        """``RuleService.GetRule``: Gets a rule, at its latest revision or at ``@revision_id``."""
        return await self._unary("GetRule", request, rule_service_pb2.GetRuleResponse, timeout)

    async def list_rules(
        self, request: rule_service_pb2.ListRulesRequest, *, timeout: float | None = None
    ) -> rule_service_pb2.ListRulesResponse:
        """``RuleService.ListRules``: Lists rules at their latest revisions."""
        return await self._unary("ListRules", request, rule_service_pb2.ListRulesResponse, timeout)

    async def update_rule(
        self, request: rule_service_pb2.UpdateRuleRequest, *, timeout: float | None = None
    ) -> rule_service_pb2.UpdateRuleResponse:
        """``RuleService.UpdateRule``: Updates a rule, creating a new revision. Fails with ABORTED on an etag
        mismatch."""
        return await self._unary("UpdateRule", request, rule_service_pb2.UpdateRuleResponse, timeout)

    async def delete_rule(
        self, request: rule_service_pb2.DeleteRuleRequest, *, timeout: float | None = None
    ) -> rule_service_pb2.DeleteRuleResponse:
        """``RuleService.DeleteRule``: Deletes a rule and its revisions. Fails with FAILED_PRECONDITION while a
        rule set's latest revision references it."""
        return await self._unary("DeleteRule", request, rule_service_pb2.DeleteRuleResponse, timeout)

    async def validate_rule(
        self, request: rule_service_pb2.ValidateRuleRequest, *, timeout: float | None = None
    ) -> rule_service_pb2.ValidateRuleResponse:
        """``RuleService.ValidateRule``: Parses and analyses an expression without storing anything; problems
        come back in the response, not as an error."""
        return await self._unary("ValidateRule", request, rule_service_pb2.ValidateRuleResponse, timeout)

    async def test_rule(
        self, request: rule_service_pb2.TestRuleRequest, *, timeout: float | None = None
    ) -> rule_service_pb2.TestRuleResponse:
        """``RuleService.TestRule``: Evaluates a rule (stored or inline) over sample values of one column and
        explains the decision, without storing anything."""
        return await self._unary("TestRule", request, rule_service_pb2.TestRuleResponse, timeout)

    async def list_rule_revisions(
        self, request: rule_service_pb2.ListRuleRevisionsRequest, *, timeout: float | None = None
    ) -> rule_service_pb2.ListRuleRevisionsResponse:
        """``RuleService.ListRuleRevisions``: Lists a rule's revisions, newest first."""
        return await self._unary("ListRuleRevisions", request, rule_service_pb2.ListRuleRevisionsResponse, timeout)

    async def create_rule_set(
        self, request: rule_service_pb2.CreateRuleSetRequest, *, timeout: float | None = None
    ) -> rule_service_pb2.CreateRuleSetResponse:
        """``RuleService.CreateRuleSet``: Creates a rule set; bare rule names are pinned to their latest
        revisions."""
        return await self._unary("CreateRuleSet", request, rule_service_pb2.CreateRuleSetResponse, timeout)

    async def get_rule_set(
        self, request: rule_service_pb2.GetRuleSetRequest, *, timeout: float | None = None
    ) -> rule_service_pb2.GetRuleSetResponse:
        """``RuleService.GetRuleSet``: Gets a rule set, at its latest revision or at ``@revision_id``."""
        return await self._unary("GetRuleSet", request, rule_service_pb2.GetRuleSetResponse, timeout)

    async def list_rule_sets(
        self, request: rule_service_pb2.ListRuleSetsRequest, *, timeout: float | None = None
    ) -> rule_service_pb2.ListRuleSetsResponse:
        """``RuleService.ListRuleSets``: Lists rule sets at their latest revisions, including the system set
        ``ruleSets/default``."""
        return await self._unary("ListRuleSets", request, rule_service_pb2.ListRuleSetsResponse, timeout)

    async def update_rule_set(
        self, request: rule_service_pb2.UpdateRuleSetRequest, *, timeout: float | None = None
    ) -> rule_service_pb2.UpdateRuleSetResponse:
        """``RuleService.UpdateRuleSet``: Updates a rule set, creating a new revision. Fails with
        FAILED_PRECONDITION on read-only sets and ABORTED on an etag mismatch."""
        return await self._unary("UpdateRuleSet", request, rule_service_pb2.UpdateRuleSetResponse, timeout)

    async def delete_rule_set(
        self, request: rule_service_pb2.DeleteRuleSetRequest, *, timeout: float | None = None
    ) -> rule_service_pb2.DeleteRuleSetResponse:
        """``RuleService.DeleteRuleSet``: Deletes a rule set; revisions that scan jobs ran stay readable by
        revision name."""
        return await self._unary("DeleteRuleSet", request, rule_service_pb2.DeleteRuleSetResponse, timeout)

    async def list_rule_set_revisions(
        self, request: rule_service_pb2.ListRuleSetRevisionsRequest, *, timeout: float | None = None
    ) -> rule_service_pb2.ListRuleSetRevisionsResponse:
        """``RuleService.ListRuleSetRevisions``: Lists a rule set's revisions, newest first."""
        return await self._unary(
            "ListRuleSetRevisions", request, rule_service_pb2.ListRuleSetRevisionsResponse, timeout
        )

    async def backtest_rule_set(
        self, request: rule_service_pb2.BacktestRuleSetRequest, *, timeout: float | None = None
    ) -> rule_service_pb2.BacktestRuleSetResponse:
        """``RuleService.BacktestRuleSet``: Runs a rule set revision over labeled data and reports precision and
        recall, without storing findings."""
        return await self._unary("BacktestRuleSet", request, rule_service_pb2.BacktestRuleSetResponse, timeout)

    async def create_pattern(
        self, request: rule_service_pb2.CreatePatternRequest, *, timeout: float | None = None
    ) -> rule_service_pb2.CreatePatternResponse:
        """``RuleService.CreatePattern``: Creates a pattern in the pattern library."""
        return await self._unary("CreatePattern", request, rule_service_pb2.CreatePatternResponse, timeout)

    async def get_pattern(
        self, request: rule_service_pb2.GetPatternRequest, *, timeout: float | None = None
    ) -> rule_service_pb2.GetPatternResponse:
        """``RuleService.GetPattern``: Gets a pattern."""
        return await self._unary("GetPattern", request, rule_service_pb2.GetPatternResponse, timeout)

    async def list_patterns(
        self, request: rule_service_pb2.ListPatternsRequest, *, timeout: float | None = None
    ) -> rule_service_pb2.ListPatternsResponse:
        """``RuleService.ListPatterns``: Lists patterns, built-in and custom."""
        return await self._unary("ListPatterns", request, rule_service_pb2.ListPatternsResponse, timeout)

    async def update_pattern(
        self, request: rule_service_pb2.UpdatePatternRequest, *, timeout: float | None = None
    ) -> rule_service_pb2.UpdatePatternResponse:
        """``RuleService.UpdatePattern``: Updates a custom pattern. Fails with FAILED_PRECONDITION on built-ins
        and ABORTED on an etag mismatch."""
        return await self._unary("UpdatePattern", request, rule_service_pb2.UpdatePatternResponse, timeout)

    async def delete_pattern(
        self, request: rule_service_pb2.DeletePatternRequest, *, timeout: float | None = None
    ) -> rule_service_pb2.DeletePatternResponse:
        """``RuleService.DeletePattern``: Deletes a custom pattern. Fails with FAILED_PRECONDITION while an
        active rule uses it."""
        return await self._unary("DeletePattern", request, rule_service_pb2.DeletePatternResponse, timeout)

    async def list_classifications(
        self, request: rule_service_pb2.ListClassificationsRequest, *, timeout: float | None = None
    ) -> rule_service_pb2.ListClassificationsResponse:
        """``RuleService.ListClassifications``: Lists the classification catalogue: built-ins and those custom
        rules emit."""
        return await self._unary("ListClassifications", request, rule_service_pb2.ListClassificationsResponse, timeout)

    async def optimize_rule(
        self, request: rule_service_pb2.OptimizeRuleRequest, *, timeout: float | None = None
    ) -> rule_service_pb2.OptimizeRuleResponse:
        """``RuleService.OptimizeRule``: Suggests a better confidence threshold for a rule from reviewer feedback
        on its findings, and applies it when asked."""
        return await self._unary("OptimizeRule", request, rule_service_pb2.OptimizeRuleResponse, timeout)

    async def get_rule_analytics(
        self, request: rule_service_pb2.GetRuleAnalyticsRequest, *, timeout: float | None = None
    ) -> rule_service_pb2.GetRuleAnalyticsResponse:
        """``RuleService.GetRuleAnalytics``: Gets a rule's execution history summary: runs, matches, findings,
        precision, cost."""
        return await self._unary("GetRuleAnalytics", request, rule_service_pb2.GetRuleAnalyticsResponse, timeout)

    async def apply_compliance_requirements(
        self, request: rule_service_pb2.ApplyComplianceRequirementsRequest, *, timeout: float | None = None
    ) -> rule_service_pb2.ApplyComplianceRequirementsResponse:
        """``RuleService.ApplyComplianceRequirements``: Tags rules with the compliance frameworks whose
        classifications they emit, and optionally adds missing built-in coverage to a rule set."""
        return await self._unary(
            "ApplyComplianceRequirements", request, rule_service_pb2.ApplyComplianceRequirementsResponse, timeout
        )

    async def apply_sensitivity_labels(
        self, request: rule_service_pb2.ApplySensitivityLabelsRequest, *, timeout: float | None = None
    ) -> rule_service_pb2.ApplySensitivityLabelsResponse:
        """``RuleService.ApplySensitivityLabels``: Sets rules' sensitivity labels from a classification-to-label
        mapping."""
        return await self._unary(
            "ApplySensitivityLabels", request, rule_service_pb2.ApplySensitivityLabelsResponse, timeout
        )

    def iter_rules(
        self, *, filter: str = "", order_by: str = "", page_size: int = 0, timeout: float | None = None
    ) -> AsyncIterator[rule_pb2.Rule]:
        """Every ``rules`` item of ``ListRules``, all pages (``timeout`` is per page)."""
        request = rule_service_pb2.ListRulesRequest(page_size=page_size, filter=filter, order_by=order_by)
        return paginate(lambda r: self.list_rules(r, timeout=timeout), request, lambda page: page.rules)

    def iter_rule_revisions(
        self, name: str, *, page_size: int = 0, timeout: float | None = None
    ) -> AsyncIterator[rule_pb2.Rule]:
        """Every ``rules`` item of ``ListRuleRevisions``, all pages (``timeout`` is per page)."""
        request = rule_service_pb2.ListRuleRevisionsRequest(name=name, page_size=page_size)
        return paginate(lambda r: self.list_rule_revisions(r, timeout=timeout), request, lambda page: page.rules)

    def iter_rule_sets(
        self, *, filter: str = "", order_by: str = "", page_size: int = 0, timeout: float | None = None
    ) -> AsyncIterator[rule_set_pb2.RuleSet]:
        """Every ``rule_sets`` item of ``ListRuleSets``, all pages (``timeout`` is per page)."""
        request = rule_service_pb2.ListRuleSetsRequest(page_size=page_size, filter=filter, order_by=order_by)
        return paginate(lambda r: self.list_rule_sets(r, timeout=timeout), request, lambda page: page.rule_sets)

    def iter_rule_set_revisions(
        self, name: str, *, page_size: int = 0, timeout: float | None = None
    ) -> AsyncIterator[rule_set_pb2.RuleSet]:
        """Every ``rule_sets`` item of ``ListRuleSetRevisions``, all pages (``timeout`` is per page)."""
        request = rule_service_pb2.ListRuleSetRevisionsRequest(name=name, page_size=page_size)
        return paginate(
            lambda r: self.list_rule_set_revisions(r, timeout=timeout), request, lambda page: page.rule_sets
        )

    def iter_patterns(
        self, *, filter: str = "", order_by: str = "", page_size: int = 0, timeout: float | None = None
    ) -> AsyncIterator[pattern_pb2.Pattern]:
        """Every ``patterns`` item of ``ListPatterns``, all pages (``timeout`` is per page)."""
        request = rule_service_pb2.ListPatternsRequest(page_size=page_size, filter=filter, order_by=order_by)
        return paginate(lambda r: self.list_patterns(r, timeout=timeout), request, lambda page: page.patterns)

    def iter_classifications(
        self, *, filter: str = "", page_size: int = 0, timeout: float | None = None
    ) -> AsyncIterator[classification_pb2.Classification]:
        """Every ``classifications`` item of ``ListClassifications``, all pages (``timeout`` is per page)."""
        request = rule_service_pb2.ListClassificationsRequest(page_size=page_size, filter=filter)
        return paginate(
            lambda r: self.list_classifications(r, timeout=timeout), request, lambda page: page.classifications
        )


class OrchestrationClient(AsyncServiceClient):
    """Async client of ``scanrules.v1.OrchestrationService``, reached as ``ScanRulesClient.orchestration``.

    One method per RPC, named after it in snake_case, taking the request message and returning the response
    message; ``timeout`` (seconds) overrides the client's default deadline. List RPCs also have an ``iter_*``
    helper that follows the page tokens. Failures raise `ScanRulesError` subclasses.
    """

    SERVICE = "scanrules.v1.OrchestrationService"

    async def create_data_source(
        self, request: orchestration_service_pb2.CreateDataSourceRequest, *, timeout: float | None = None
    ) -> orchestration_service_pb2.CreateDataSourceResponse:
        """``OrchestrationService.CreateDataSource``: Registers a data source. The password is stored encrypted
        and never returned."""
        return await self._unary(
            "CreateDataSource", request, orchestration_service_pb2.CreateDataSourceResponse, timeout
        )

    async def get_data_source(
        self, request: orchestration_service_pb2.GetDataSourceRequest, *, timeout: float | None = None
    ) -> orchestration_service_pb2.GetDataSourceResponse:
        """``OrchestrationService.GetDataSource``: Gets a data source, without its password."""
        return await self._unary("GetDataSource", request, orchestration_service_pb2.GetDataSourceResponse, timeout)

    async def list_data_sources(
        self, request: orchestration_service_pb2.ListDataSourcesRequest, *, timeout: float | None = None
    ) -> orchestration_service_pb2.ListDataSourcesResponse:
        """``OrchestrationService.ListDataSources``: Lists data sources, without their passwords."""
        return await self._unary("ListDataSources", request, orchestration_service_pb2.ListDataSourcesResponse, timeout)

    async def update_data_source(
        self, request: orchestration_service_pb2.UpdateDataSourceRequest, *, timeout: float | None = None
    ) -> orchestration_service_pb2.UpdateDataSourceResponse:
        """``OrchestrationService.UpdateDataSource``: Updates a data source. Fails with ABORTED on an etag
        mismatch."""
        return await self._unary(
            "UpdateDataSource", request, orchestration_service_pb2.UpdateDataSourceResponse, timeout
        )

    async def delete_data_source(
        self, request: orchestration_service_pb2.DeleteDataSourceRequest, *, timeout: float | None = None
    ) -> orchestration_service_pb2.DeleteDataSourceResponse:
        """``OrchestrationService.DeleteDataSource``: Deletes a data source. Fails with FAILED_PRECONDITION while
        a scan job on it is running or a schedule uses it; its findings stay."""
        return await self._unary(
            "DeleteDataSource", request, orchestration_service_pb2.DeleteDataSourceResponse, timeout
        )

    async def test_data_source_connection(
        self, request: orchestration_service_pb2.TestDataSourceConnectionRequest, *, timeout: float | None = None
    ) -> orchestration_service_pb2.TestDataSourceConnectionResponse:
        """``OrchestrationService.TestDataSourceConnection``: Connects to a data source, stored or inline, and
        reports what works."""
        return await self._unary(
            "TestDataSourceConnection", request, orchestration_service_pb2.TestDataSourceConnectionResponse, timeout
        )

    async def discover_data_source(
        self, request: orchestration_service_pb2.DiscoverDataSourceRequest, *, timeout: float | None = None
    ) -> orchestration_service_pb2.DiscoverDataSourceResponse:
        """``OrchestrationService.DiscoverDataSource``: Reads a data source's schemas, tables and columns, with
        keys and row estimates."""
        return await self._unary(
            "DiscoverDataSource", request, orchestration_service_pb2.DiscoverDataSourceResponse, timeout
        )

    async def create_scan_job(
        self, request: orchestration_service_pb2.CreateScanJobRequest, *, timeout: float | None = None
    ) -> orchestration_service_pb2.CreateScanJobResponse:
        """``OrchestrationService.CreateScanJob``: Creates a scan job: pins the rule set revision, plans work
        units and queues them."""
        return await self._unary("CreateScanJob", request, orchestration_service_pb2.CreateScanJobResponse, timeout)

    async def get_scan_job(
        self, request: orchestration_service_pb2.GetScanJobRequest, *, timeout: float | None = None
    ) -> orchestration_service_pb2.GetScanJobResponse:
        """``OrchestrationService.GetScanJob``: Gets a scan job with its progress."""
        return await self._unary("GetScanJob", request, orchestration_service_pb2.GetScanJobResponse, timeout)

    async def list_scan_jobs(
        self, request: orchestration_service_pb2.ListScanJobsRequest, *, timeout: float | None = None
    ) -> orchestration_service_pb2.ListScanJobsResponse:
        """``OrchestrationService.ListScanJobs``: Lists scan jobs."""
        return await self._unary("ListScanJobs", request, orchestration_service_pb2.ListScanJobsResponse, timeout)

    async def cancel_scan_job(
        self, request: orchestration_service_pb2.CancelScanJobRequest, *, timeout: float | None = None
    ) -> orchestration_service_pb2.CancelScanJobResponse:
        """``OrchestrationService.CancelScanJob``: Cancels a scan job: pending units are dropped, running ones
        stopped; results of finished units stay. Cancelling a terminal job fails with FAILED_PRECONDITION."""
        return await self._unary("CancelScanJob", request, orchestration_service_pb2.CancelScanJobResponse, timeout)

    async def retry_scan_job(
        self, request: orchestration_service_pb2.RetryScanJobRequest, *, timeout: float | None = None
    ) -> orchestration_service_pb2.RetryScanJobResponse:
        """``OrchestrationService.RetryScanJob``: Re-queues the failed and cancelled units of a job in a terminal
        state other than SUCCEEDED; succeeded units are not run again."""
        return await self._unary("RetryScanJob", request, orchestration_service_pb2.RetryScanJobResponse, timeout)

    def watch_scan_job(
        self, request: orchestration_service_pb2.WatchScanJobRequest, *, timeout: float | None = None
    ) -> AsyncResponseStream[orchestration_service_pb2.WatchScanJobResponse]:
        """``OrchestrationService.WatchScanJob``: Streams a scan job's progress: the current state first, then
        one message per change, ending after the job reaches a terminal state.

        Returns a lazy stream; ``timeout`` bounds the whole stream (default: no deadline).
        """
        return self._stream("WatchScanJob", request, orchestration_service_pb2.WatchScanJobResponse, timeout)

    async def execute_rules(
        self, request: orchestration_service_pb2.ExecuteRulesRequest, *, timeout: float | None = None
    ) -> orchestration_service_pb2.ExecuteRulesResponse:
        """``OrchestrationService.ExecuteRules``: Runs a list of rules, without a stored rule set, over data
        sources as an ad hoc scan job; watch or poll the returned job."""
        return await self._unary("ExecuteRules", request, orchestration_service_pb2.ExecuteRulesResponse, timeout)

    async def get_execution(
        self, request: orchestration_service_pb2.GetExecutionRequest, *, timeout: float | None = None
    ) -> orchestration_service_pb2.GetExecutionResponse:
        """``OrchestrationService.GetExecution``: Gets one execution record."""
        return await self._unary("GetExecution", request, orchestration_service_pb2.GetExecutionResponse, timeout)

    async def list_executions(
        self, request: orchestration_service_pb2.ListExecutionsRequest, *, timeout: float | None = None
    ) -> orchestration_service_pb2.ListExecutionsResponse:
        """``OrchestrationService.ListExecutions``: Lists execution records of a scan job, or of all jobs with
        ``scanJobs/-``."""
        return await self._unary("ListExecutions", request, orchestration_service_pb2.ListExecutionsResponse, timeout)

    async def list_findings(
        self, request: orchestration_service_pb2.ListFindingsRequest, *, timeout: float | None = None
    ) -> orchestration_service_pb2.ListFindingsResponse:
        """``OrchestrationService.ListFindings``: Lists findings of a scan job, or of all jobs with
        ``scanJobs/-``."""
        return await self._unary("ListFindings", request, orchestration_service_pb2.ListFindingsResponse, timeout)

    async def get_finding(
        self, request: orchestration_service_pb2.GetFindingRequest, *, timeout: float | None = None
    ) -> orchestration_service_pb2.GetFindingResponse:
        """``OrchestrationService.GetFinding``: Gets one finding."""
        return await self._unary("GetFinding", request, orchestration_service_pb2.GetFindingResponse, timeout)

    async def submit_finding_feedback(
        self, request: orchestration_service_pb2.SubmitFindingFeedbackRequest, *, timeout: float | None = None
    ) -> orchestration_service_pb2.SubmitFindingFeedbackResponse:
        """``OrchestrationService.SubmitFindingFeedback``: Records a reviewer's verdict on a finding; the
        optimizer learns from it."""
        return await self._unary(
            "SubmitFindingFeedback", request, orchestration_service_pb2.SubmitFindingFeedbackResponse, timeout
        )

    async def create_schedule(
        self, request: orchestration_service_pb2.CreateScheduleRequest, *, timeout: float | None = None
    ) -> orchestration_service_pb2.CreateScheduleResponse:
        """``OrchestrationService.CreateSchedule``: Creates a schedule that starts scan jobs on a cron
        expression."""
        return await self._unary("CreateSchedule", request, orchestration_service_pb2.CreateScheduleResponse, timeout)

    async def list_schedules(
        self, request: orchestration_service_pb2.ListSchedulesRequest, *, timeout: float | None = None
    ) -> orchestration_service_pb2.ListSchedulesResponse:
        """``OrchestrationService.ListSchedules``: Lists schedules."""
        return await self._unary("ListSchedules", request, orchestration_service_pb2.ListSchedulesResponse, timeout)

    async def update_schedule(
        self, request: orchestration_service_pb2.UpdateScheduleRequest, *, timeout: float | None = None
    ) -> orchestration_service_pb2.UpdateScheduleResponse:
        """``OrchestrationService.UpdateSchedule``: Updates a schedule, e.g. to pause it. Fails with ABORTED on
        an etag mismatch."""
        return await self._unary("UpdateSchedule", request, orchestration_service_pb2.UpdateScheduleResponse, timeout)

    async def delete_schedule(
        self, request: orchestration_service_pb2.DeleteScheduleRequest, *, timeout: float | None = None
    ) -> orchestration_service_pb2.DeleteScheduleResponse:
        """``OrchestrationService.DeleteSchedule``: Deletes a schedule; jobs it created stay."""
        return await self._unary("DeleteSchedule", request, orchestration_service_pb2.DeleteScheduleResponse, timeout)

    def iter_data_sources(
        self, *, filter: str = "", order_by: str = "", page_size: int = 0, timeout: float | None = None
    ) -> AsyncIterator[data_source_pb2.DataSource]:
        """Every ``data_sources`` item of ``ListDataSources``, all pages (``timeout`` is per page)."""
        request = orchestration_service_pb2.ListDataSourcesRequest(
            page_size=page_size, filter=filter, order_by=order_by
        )
        return paginate(lambda r: self.list_data_sources(r, timeout=timeout), request, lambda page: page.data_sources)

    def iter_scan_jobs(
        self, *, filter: str = "", order_by: str = "", page_size: int = 0, timeout: float | None = None
    ) -> AsyncIterator[scan_job_pb2.ScanJob]:
        """Every ``scan_jobs`` item of ``ListScanJobs``, all pages (``timeout`` is per page)."""
        request = orchestration_service_pb2.ListScanJobsRequest(page_size=page_size, filter=filter, order_by=order_by)
        return paginate(lambda r: self.list_scan_jobs(r, timeout=timeout), request, lambda page: page.scan_jobs)

    def iter_executions(
        self, parent: str, *, filter: str = "", order_by: str = "", page_size: int = 0, timeout: float | None = None
    ) -> AsyncIterator[execution_pb2.Execution]:
        """Every ``executions`` item of ``ListExecutions``, all pages (``timeout`` is per page)."""
        request = orchestration_service_pb2.ListExecutionsRequest(
            parent=parent, page_size=page_size, filter=filter, order_by=order_by
        )
        return paginate(lambda r: self.list_executions(r, timeout=timeout), request, lambda page: page.executions)

    def iter_findings(
        self, parent: str, *, filter: str = "", order_by: str = "", page_size: int = 0, timeout: float | None = None
    ) -> AsyncIterator[finding_pb2.Finding]:
        """Every ``findings`` item of ``ListFindings``, all pages (``timeout`` is per page)."""
        request = orchestration_service_pb2.ListFindingsRequest(
            parent=parent, page_size=page_size, filter=filter, order_by=order_by
        )
        return paginate(lambda r: self.list_findings(r, timeout=timeout), request, lambda page: page.findings)

    def iter_schedules(
        self, *, filter: str = "", order_by: str = "", page_size: int = 0, timeout: float | None = None
    ) -> AsyncIterator[schedule_pb2.Schedule]:
        """Every ``schedules`` item of ``ListSchedules``, all pages (``timeout`` is per page)."""
        request = orchestration_service_pb2.ListSchedulesRequest(page_size=page_size, filter=filter, order_by=order_by)
        return paginate(lambda r: self.list_schedules(r, timeout=timeout), request, lambda page: page.schedules)


class MonitoringClient(AsyncServiceClient):
    """Async client of ``scanrules.v1.MonitoringService``, reached as ``ScanRulesClient.monitoring``.

    One method per RPC, named after it in snake_case, taking the request message and returning the response
    message; ``timeout`` (seconds) overrides the client's default deadline. List RPCs also have an ``iter_*``
    helper that follows the page tokens. Failures raise `ScanRulesError` subclasses.
    """

    SERVICE = "scanrules.v1.MonitoringService"

    async def get_performance_dashboard(
        self, request: monitoring_service_pb2.GetPerformanceDashboardRequest, *, timeout: float | None = None
    ) -> monitoring_service_pb2.GetPerformanceDashboardResponse:
        """``MonitoringService.GetPerformanceDashboard``: Gets per-RPC request counts and latency percentiles and
        scan throughput over a window."""
        return await self._unary(
            "GetPerformanceDashboard", request, monitoring_service_pb2.GetPerformanceDashboardResponse, timeout
        )

    def watch_metrics(
        self, request: monitoring_service_pb2.WatchMetricsRequest, *, timeout: float | None = None
    ) -> AsyncResponseStream[monitoring_service_pb2.WatchMetricsResponse]:
        """``MonitoringService.WatchMetrics``: Streams metric snapshots at a fixed interval until the client
        cancels.

        Returns a lazy stream; ``timeout`` bounds the whole stream (default: no deadline).
        """
        return self._stream("WatchMetrics", request, monitoring_service_pb2.WatchMetricsResponse, timeout)

    async def get_system_status(
        self, request: monitoring_service_pb2.GetSystemStatusRequest, *, timeout: float | None = None
    ) -> monitoring_service_pb2.GetSystemStatusResponse:
        """``MonitoringService.GetSystemStatus``: Gets the server's version, uptime and the health of its
        components."""
        return await self._unary("GetSystemStatus", request, monitoring_service_pb2.GetSystemStatusResponse, timeout)

    async def list_audit_events(
        self, request: monitoring_service_pb2.ListAuditEventsRequest, *, timeout: float | None = None
    ) -> monitoring_service_pb2.ListAuditEventsResponse:
        """``MonitoringService.ListAuditEvents``: Lists audit events, newest first."""
        return await self._unary("ListAuditEvents", request, monitoring_service_pb2.ListAuditEventsResponse, timeout)

    async def get_compliance_report(
        self, request: monitoring_service_pb2.GetComplianceReportRequest, *, timeout: float | None = None
    ) -> monitoring_service_pb2.GetComplianceReportResponse:
        """``MonitoringService.GetComplianceReport``: Gets, per compliance framework, the classifications found,
        where, and how well the rules and scans cover them."""
        return await self._unary(
            "GetComplianceReport", request, monitoring_service_pb2.GetComplianceReportResponse, timeout
        )

    def iter_audit_events(
        self, *, filter: str = "", order_by: str = "", page_size: int = 0, timeout: float | None = None
    ) -> AsyncIterator[audit_event_pb2.AuditEvent]:
        """Every ``audit_events`` item of ``ListAuditEvents``, all pages (``timeout`` is per page)."""
        request = monitoring_service_pb2.ListAuditEventsRequest(page_size=page_size, filter=filter, order_by=order_by)
        return paginate(lambda r: self.list_audit_events(r, timeout=timeout), request, lambda page: page.audit_events)
