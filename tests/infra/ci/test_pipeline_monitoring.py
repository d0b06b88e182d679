"""The pipeline can deploy the app stacks' monitoring, and passes ALARM_EMAIL."""

from __future__ import annotations

from typing import Any

from tests.infra.ci.cfn import as_list, policy_statements
from tests.infra.ci.test_pipeline_template import RESOURCES, TEMPLATE


def granted(policy: str) -> dict[str, list[Any]]:
    """Each allowed action of a deploy policy, with the resources it is allowed on."""
    actions: dict[str, list[Any]] = {}
    for where, statement in policy_statements(TEMPLATE):
        if where == policy and statement["Effect"] == "Allow":
            for action in as_list(statement["Action"]):
                actions.setdefault(action, []).extend(as_list(statement["Resource"]))
    return actions


def test_the_backend_deploy_gets_alarm_email() -> None:
    variables = {
        v["Name"]: v["Value"]
        for v in RESOURCES["BackendProject"]["Properties"]["Environment"]["EnvironmentVariables"]
    }
    assert variables["ALARM_EMAIL"] == {"Ref": "AlarmEmail"}
    assert TEMPLATE["Parameters"]["AlarmEmail"]["Default"] == ""


def test_the_deploy_may_create_the_monitoring_of_its_own_stack_only() -> None:
    common = granted("CommonDeployPolicy")
    for action in ("sns:CreateTopic", "sns:Subscribe"):
        (resource,) = common[action]
        assert resource["Fn::Sub"].endswith(":${ProjectName}-${Stage}-*")
    for action in ("cloudwatch:PutMetricAlarm", "cloudwatch:PutDashboard"):
        subs = [r["Fn::Sub"] for r in common[action]]
        assert all("${ProjectName}-${Stage}" in sub for sub in subs)
    assert "kms:ScheduleKeyDeletion" not in common and "kms:Decrypt" not in common
    app_log_groups = [r["Fn::Sub"] for r in common["logs:CreateLogGroup"]]
    assert any(sub.endswith("log-group:/todo/${ProjectName}-${Stage}/*") for sub in app_log_groups)


def test_the_serverless_deploy_may_read_only_the_powertools_layer() -> None:
    common = granted("CommonDeployPolicy")
    (parameter,) = (r["Fn::Sub"] for r in common["ssm:GetParameters"])
    assert parameter.endswith("::parameter/aws/service/powertools/python/*")
    (layer,) = (r["Fn::Sub"] for r in common["lambda:GetLayerVersion"])
    assert layer.endswith(":017000801446:layer:AWSLambdaPowertoolsPythonV3-*:*")


def test_the_serverful_deploy_may_turn_on_the_groups_metrics() -> None:
    serverful = granted("ServerfulDeployPolicy")
    (resource,) = serverful["autoscaling:EnableMetricsCollection"]
    assert resource["Fn::Sub"].endswith("autoScalingGroupName/${ProjectName}-${Stage}-*")
