"""The serverless stack's monitoring: Powertools layer, alarms, topic, dashboard."""

from __future__ import annotations

import re
from typing import Any

from chalicelib import observability
from tests.infra.serverless.support import ROOT, props
from tools.wheels import locked

STACK_NAME = {"Ref": "AWS::StackName"}

# Every alarm docs/operations.md documents, by logical id.
ALARMS = {
    "ApiErrorRateAlarm",
    "ApiLatencyAlarm",
    "LambdaErrorsAlarm",
    "LambdaThrottlesAlarm",
    "LambdaDurationAlarm",
    "DynamoDbThrottlesAlarm",
    "DynamoDbSystemErrorsAlarm",
    "AuthFailuresAlarm",
}


def of_type(resources: dict[str, Any], kind: str) -> dict[str, Any]:
    return {key: r for key, r in resources.items() if r["Type"] == kind}


def metric_stats(alarm: dict[str, Any]) -> list[dict[str, Any]]:
    """The metrics an alarm reads: its own, or those of its math expression."""
    if "MetricName" in alarm:
        return [alarm]
    return [query["MetricStat"]["Metric"] for query in alarm["Metrics"] if "MetricStat" in query]


def dimensions(metric: dict[str, Any]) -> dict[str, Any]:
    return {d["Name"]: d["Value"] for d in metric["Dimensions"]}


def test_every_documented_alarm_exists_and_notifies_the_topic(resources: dict[str, Any]) -> None:
    alarms = of_type(resources, "AWS::CloudWatch::Alarm")
    assert set(alarms) == ALARMS
    operations = (ROOT / "docs" / "operations.md").read_text()
    for logical_id, alarm in alarms.items():
        p = alarm["Properties"]
        # The foundation's topic, given as a parameter.
        assert p["AlarmActions"] == [{"Ref": "AlarmTopicArn"}], logical_id
        assert p["OKActions"] == [{"Ref": "AlarmTopicArn"}], logical_id
        assert len(p["AlarmDescription"]) > 40, logical_id  # what it means and what to do
        assert p["TreatMissingData"] == "notBreaching", logical_id
        # `serverless-`: the EC2 path's alarms may run beside these during a switch.
        assert p["AlarmName"]["Fn::Sub"].startswith("${AWS::StackName}-serverless-"), logical_id
        suffix = p["AlarmName"]["Fn::Sub"].removeprefix("${AWS::StackName}-serverless-")
        assert f"`{suffix}`" in operations, f"docs/operations.md lacks the alarm {suffix}"


def test_dynamodb_alarms_cover_every_operation_the_app_is_allowed(
    resources: dict[str, Any],
) -> None:
    throttles = metric_stats(props(resources, "DynamoDbThrottlesAlarm"))
    assert {m["MetricName"] for m in throttles} == {"ReadThrottleEvents", "WriteThrottleEvents"}
    errors = metric_stats(props(resources, "DynamoDbSystemErrorsAlarm"))
    assert {m["MetricName"] for m in errors} == {"SystemErrors"}
    for metric in throttles + errors:
        assert dimensions(metric)["TableName"] == {"Ref": "TableName"}  # the foundation's
    (policy,) = props(resources, "ApiHandlerRole")["Policies"]
    (table,) = [s for s in policy["PolicyDocument"]["Statement"] if s["Sid"] == "TodoTableItems"]
    allowed = {action.removeprefix("dynamodb:") for action in table["Action"]}
    watched = {dimensions(m)["Operation"] for m in errors}
    # TransactWriteItems is authorised by PutItem (the idempotent create).
    assert allowed - {"BatchWriteItem"} <= watched and "TransactWriteItems" in watched


def test_auth_failure_alarm_reads_the_apps_metric_for_this_stack(
    resources: dict[str, Any],
) -> None:
    alarm = props(resources, "AuthFailuresAlarm")
    assert alarm["Namespace"] == observability.METRICS_NAMESPACE
    assert alarm["MetricName"] == observability.AUTH_FAILURES
    assert dimensions(alarm) == {"service": STACK_NAME}
    # ... which is the service the function's metrics carry.
    variables = props(resources, "APIHandler")["Environment"]["Variables"]
    assert variables["POWERTOOLS_SERVICE_NAME"] == STACK_NAME


def test_the_dashboard_shows_the_apps_metrics_and_every_alarm(resources: dict[str, Any]) -> None:
    template, _variables = props(resources, "Dashboard")["DashboardBody"]["Fn::Sub"]
    app_metrics = (
        observability.REQUESTS, observability.DYNAMODB_REQUESTS,
        observability.DYNAMODB_THROTTLES, observability.AUTH_FAILURES,
        *observability.TODO_EVENTS,
    )  # fmt: skip
    for name in app_metrics:
        # A metric's name, quoted in the body or in a query string inside it.
        assert re.search(rf'\\?"{name}\\?"', template), name
    for alarm in ALARMS:
        assert f"${{{alarm}.Arn}}" in template


def pinned_version(package: str) -> str:
    """The version EC2 installs (requirements-server.lock.txt, generated from uv.lock)."""
    return locked((ROOT / "requirements-server.lock.txt").read_text())[package]


def test_powertools_comes_from_the_aws_managed_layer_at_the_pinned_version(
    sam_template: dict[str, Any], resources: dict[str, Any]
) -> None:
    function = props(resources, "APIHandler")
    assert function["Layers"] == [{"Ref": "PowertoolsLayerArn"}]
    parameter = sam_template["Parameters"]["PowertoolsLayerArn"]
    assert parameter["Type"] == "AWS::SSM::Parameter::Value<String>"
    runtime = function["Runtime"]
    assert runtime == "python3.13"  # what production runs (docs/wsgi.md, Python)
    version = pinned_version("aws-lambda-powertools")
    assert parameter["Default"] == f"/aws/service/powertools/python/x86_64/{runtime}/{version}"
