"""Rehearse the serverful deployment on this machine: `terraform apply` of both roots
against a local moto server, check what they made, then destroy the app root (the data
and the users must stay) and finally the persistent root, the documented way.

No AWS account is involved: the provider's endpoints point at moto and the
credentials are fake. What this proves and what only a real account can is written
down in docs/serverful.md ("Rehearsal").

    python -m scripts.rehearse_serverful --artifact build/serverful/app.zip [--keep-logs DIR]
"""

from __future__ import annotations

import argparse
import json
import sys
import tempfile
import time
import urllib.parse
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from scripts.deploy_serverful import APP, PERSISTENT, ROOT, DeployError, Deployment
from scripts.local_stack import FAKE_CREDENTIALS, aws_client, moto_server

REGION = "us-east-1"
STACK_NAME = "todo-rehearsal"
# moto has no CloudFront response headers policies, so the rehearsal hands the
# frontend module AWS's managed "SecurityHeadersPolicy" instead of creating one.
MANAGED_SECURITY_HEADERS_POLICY_ID = "67f7725c-6f97-4210-82d7-5512b31e9d03"


def rehearsal_variables(endpoint: str) -> dict[str, dict[str, Any]]:
    """Per root, the only differences from a real deploy, each for a reason moto imposes."""
    iam = aws_client("iam", endpoint, REGION)
    # The boundary the CI pipeline would define; here an empty-handed stand-in.
    boundary = iam.create_policy(
        PolicyName=f"{STACK_NAME}-boundary",
        PolicyDocument=json.dumps(
            {
                "Version": "2012-10-17",
                "Statement": [{"Effect": "Allow", "Action": "dynamodb:*", "Resource": "*"}],
            }
        ),
    )["Policy"]["Arn"]
    # An AMI moto knows (the real stack pins an Amazon Linux 2023 AMI).
    image = aws_client("ec2", endpoint, REGION).describe_images(Owners=["amazon"])["Images"][0]
    return {
        PERSISTENT: {"local_endpoint": endpoint},
        APP: {
            "local_endpoint": endpoint,
            "security_headers_policy_id": MANAGED_SECURITY_HEADERS_POLICY_ID,
            # moto starts instances but no app answers ELB health checks: don't wait.
            "wait_for_capacity_timeout": "0",
            "ami_id": image["ImageId"],
            "permissions_boundary_arn": boundary,
            # The WAF is off by default outside prod; rehearse it anyway.
            "enable_waf": True,
        },
    }


def check_applied(
    endpoint: str, outputs: Mapping[str, Any], expected: Mapping[str, Any]
) -> list[str]:
    """Look at what Terraform made, through the AWS APIs (moto); returns problems."""
    problems = [
        f"output {name} is empty" for name, value in outputs.items() if value in ("", None, [], {})
    ]

    dynamodb = aws_client("dynamodb", endpoint, REGION)
    table = dynamodb.describe_table(TableName=outputs["table_name"])["Table"]
    keys = {k["AttributeName"]: k["KeyType"] for k in table["KeySchema"]}
    if keys != {"user_id": "HASH", "item_id": "RANGE"}:
        problems.append(f"table key schema is {keys}")
    if [i["IndexName"] for i in table.get("LocalSecondaryIndexes", [])] != ["by_order"]:
        problems.append("table lacks the by_order LSI")
    if not table.get("DeletionProtectionEnabled"):
        problems.append("the table has no deletion protection")
    backups = dynamodb.describe_continuous_backups(TableName=outputs["table_name"])
    pitr = backups["ContinuousBackupsDescription"]["PointInTimeRecoveryDescription"]
    if pitr["PointInTimeRecoveryStatus"] != "ENABLED":
        problems.append("point-in-time recovery is off")

    elbv2 = aws_client("elbv2", endpoint, REGION)
    balancers = elbv2.describe_load_balancers()["LoadBalancers"]
    if [lb["Scheme"] for lb in balancers] != ["internal"]:
        problems.append(f"load balancers: {[lb['Scheme'] for lb in balancers]}")
    wafv2 = aws_client("wafv2", endpoint, REGION)
    for balancer in balancers:
        acl = wafv2.get_web_acl_for_resource(ResourceArn=balancer["LoadBalancerArn"])
        if "WebACL" not in acl:
            problems.append("no web ACL protects the load balancer")

    autoscaling = aws_client("autoscaling", endpoint, REGION)
    groups = autoscaling.describe_auto_scaling_groups(
        AutoScalingGroupNames=[outputs["autoscaling_group_name"]]
    )["AutoScalingGroups"]
    if not groups or groups[0]["HealthCheckType"] != "ELB":
        problems.append("the Auto Scaling group is missing or not on ELB health checks")

    ec2 = aws_client("ec2", endpoint, REGION)
    template_id = groups[0]["LaunchTemplate"]["LaunchTemplateId"] if groups else ""
    versions = ec2.describe_launch_template_versions(
        LaunchTemplateId=template_id, Versions=["$Latest"]
    )
    data = versions["LaunchTemplateVersions"][0]["LaunchTemplateData"]
    if data.get("MetadataOptions", {}).get("HttpTokens") != "required":
        problems.append("the launch template does not require IMDSv2")
    if "KeyName" in data:
        problems.append("the launch template has an SSH key")
    if data.get("ImageId") != expected["ami_id"]:
        problems.append(f"the launch template boots {data.get('ImageId')}, not the pinned AMI")

    iam = aws_client("iam", endpoint, REGION)
    for role in iam.list_roles()["Roles"]:
        boundary = iam.get_role(RoleName=role["RoleName"])["Role"].get("PermissionsBoundary")
        if (boundary or {}).get("PermissionsBoundaryArn") != expected["permissions_boundary_arn"]:
            problems.append(f"role {role['RoleName']} lacks the permissions boundary")

    s3 = aws_client("s3", endpoint, REGION)
    artifact_bucket = [
        b["Name"] for b in s3.list_buckets()["Buckets"] if "-artifacts-" in b["Name"]
    ]
    if len(artifact_bucket) != 1:
        problems.append(f"artifact buckets: {artifact_bucket}")
    else:
        # Listing, not HeadObject: moto applies the bucket's TLS-only Deny without
        # its SecureTransport condition to object reads.
        listing = s3.list_objects_v2(Bucket=artifact_bucket[0], Prefix=outputs["artifact_key"])
        sizes = [item["Size"] for item in listing.get("Contents", [])]
        if sizes != [expected["artifact_size"]]:
            problems.append(f"artifact object sizes {sizes}, not [{expected['artifact_size']}]")

    apis = aws_client("apigatewayv2", endpoint, REGION).get_apis()["Items"]
    if len(apis) != 1:
        problems.append(f"HTTP APIs: {len(apis)}")
    else:
        # Through the routes: moto has GetAuthorizer but not GetAuthorizers.
        gateway = aws_client("apigatewayv2", endpoint, REGION)
        routes = gateway.get_routes(ApiId=apis[0]["ApiId"])["Items"]
        open_routes = sorted(r["RouteKey"] for r in routes if r.get("AuthorizationType") != "JWT")
        if open_routes != ["GET /health", "GET /ready"]:
            problems.append(f"routes without the JWT authorizer: {open_routes}")
        authorizer_ids = {r["AuthorizerId"] for r in routes if r.get("AuthorizerId")}
        for authorizer_id in authorizer_ids:
            authorizer = gateway.get_authorizer(ApiId=apis[0]["ApiId"], AuthorizerId=authorizer_id)
            issuer = authorizer["JwtConfiguration"]["Issuer"]
            if issuer != outputs["issuer"]:
                problems.append(f"JWT issuer {issuer} is not the pool's {outputs['issuer']}")
        if len(authorizer_ids) != 1:
            problems.append(f"routes use {len(authorizer_ids)} authorizers, expected 1")
    problems += check_monitoring(endpoint)
    return problems


# The monitoring module's alarms (terraform/modules/monitoring, docs/operations.md).
MONITORING_ALARMS = (
    "api-5xx-rate", "api-p99-latency", "alb-target-5xx", "alb-unhealthy-hosts",
    "asg-in-service-below-min", "instance-cpu", "dynamodb-throttles",
    "dynamodb-system-errors", "auth-failure-spike",
)  # fmt: skip


def check_monitoring(endpoint: str) -> list[str]:
    """The alarms notify the topic, the dashboard and the app log group exist."""
    problems = []
    cloudwatch = aws_client("cloudwatch", endpoint, REGION)
    alarms = cloudwatch.describe_alarms(AlarmNamePrefix=f"{STACK_NAME}-")["MetricAlarms"]
    names = sorted(a["AlarmName"].removeprefix(f"{STACK_NAME}-") for a in alarms)
    if names != sorted(MONITORING_ALARMS):
        problems.append(f"alarms {names}, expected {sorted(MONITORING_ALARMS)}")
    topics = [t["TopicArn"] for t in aws_client("sns", endpoint, REGION).list_topics()["Topics"]]
    topic = next((t for t in topics if t.endswith(f":{STACK_NAME}-alarms")), None)
    if topic is None:
        problems.append("the alarm topic is missing")
    elif any(a.get("AlarmActions") != [topic] for a in alarms):
        problems.append("an alarm does not notify the alarm topic")
    dashboards = [d["DashboardName"] for d in cloudwatch.list_dashboards()["DashboardEntries"]]
    if STACK_NAME not in dashboards:
        problems.append(f"dashboard {STACK_NAME} is missing (found {dashboards})")
    logs = aws_client("logs", endpoint, REGION)
    group = f"/todo/{STACK_NAME}/app"
    found = logs.describe_log_groups(logGroupNamePrefix=group)["logGroups"]
    if [g.get("retentionInDays") for g in found] != [30]:
        problems.append(f"app log group {group}: {found}")
    else:
        problems += check_instance_log_access(endpoint, found[0]["arn"].removesuffix(":*"))
    return problems


def check_instance_log_access(endpoint: str, group_arn: str) -> list[str]:
    """The instance role may write to the app log group's streams, and to nothing else."""
    iam = aws_client("iam", endpoint, REGION)
    roles = [r["RoleName"] for r in iam.list_roles()["Roles"]]
    instance_roles = [name for name in roles if name.startswith(f"{STACK_NAME}-app-")]
    if len(instance_roles) != 1:
        return [f"instance roles: {instance_roles}"]
    policy = iam.get_role_policy(RoleName=instance_roles[0], PolicyName="todo-app")
    document = policy["PolicyDocument"]
    if isinstance(document, str):
        document = json.loads(urllib.parse.unquote(document))
    log_statements = [
        s for s in document["Statement"] if any(a.startswith("logs:") for a in _list(s["Action"]))
    ]
    expected_actions = {"logs:CreateLogStream", "logs:PutLogEvents", "logs:DescribeLogStreams"}
    if [(set(_list(s["Action"])), _list(s["Resource"])) for s in log_statements] != [
        (expected_actions, [f"{group_arn}:*"])
    ]:
        return [f"the instance role's log permissions are {log_statements}"]
    return []


def _list(value: str | list[str]) -> list[str]:
    return [value] if isinstance(value, str) else value


def check_app_destroyed(endpoint: str, outputs: Mapping[str, Any]) -> list[str]:
    """After `make destroy-serverful`: the table and pool remain, the app is gone."""
    problems = []
    if (
        outputs["table_name"]
        not in aws_client("dynamodb", endpoint, REGION).list_tables()["TableNames"]
    ):
        problems.append("the table was deleted with the app; it must stay")
    if outputs["user_pool_id"] not in user_pools(endpoint):
        problems.append("the user pool was deleted with the app; it must stay")
    if aws_client("elbv2", endpoint, REGION).describe_load_balancers()["LoadBalancers"]:
        problems.append("a load balancer survived destroy")
    if aws_client("apigatewayv2", endpoint, REGION).get_apis()["Items"]:
        problems.append("an HTTP API survived destroy")
    vpcs = aws_client("ec2", endpoint, REGION).describe_vpcs(
        Filters=[{"Name": "tag:Stack", "Values": [STACK_NAME]}]
    )["Vpcs"]
    if vpcs:
        problems.append("the VPC survived destroy")
    return problems


def check_persistent_destroyed(endpoint: str, outputs: Mapping[str, Any]) -> list[str]:
    problems = []
    if (
        outputs["table_name"]
        in aws_client("dynamodb", endpoint, REGION).list_tables()["TableNames"]
    ):
        problems.append("the table survived destroy-persistent")
    if outputs["user_pool_id"] in user_pools(endpoint):
        problems.append("the user pool survived destroy-persistent")
    return problems


def user_pools(endpoint: str) -> list[str]:
    cognito = aws_client("cognito-idp", endpoint, REGION)
    return [pool["Id"] for pool in cognito.list_user_pools(MaxResults=60)["UserPools"]]


@contextmanager
def timed(timings: dict[str, float], name: str) -> Iterator[None]:
    started = time.monotonic()
    yield
    timings[name] = round(time.monotonic() - started, 1)


def rehearse(artifact: Path, work_dir: Path) -> dict[str, Any]:
    """Apply, check, destroy, check, for both roots. Returns a report; raises DeployError."""
    # Fake credentials, and no real profile, credentials file or endpoint can leak in.
    terraform_env: dict[str, str | None] = {
        **FAKE_CREDENTIALS,
        "AWS_REGION": REGION,
        "AWS_DEFAULT_REGION": REGION,
        "AWS_PROFILE": None,
        "AWS_ENDPOINT_URL": None,
        "AWS_SHARED_CREDENTIALS_FILE": str(work_dir / "no-credentials"),
        "AWS_CONFIG_FILE": str(work_dir / "no-config"),
    }
    deployment = Deployment.from_environment(
        {"STAGE": "rehearsal", "STACK_NAME": STACK_NAME, "AWS_REGION": REGION},
        purpose="rehearse",
        terraform_env=terraform_env,
        state_dir=work_dir,
    )
    timings: dict[str, float] = {}
    resources: dict[str, int] = {}

    def count(root: str) -> int:
        return len(getattr(deployment, root).state_addresses())

    # Serialized: terraform sends up to 10 requests at once, and moto's backends are
    # not thread-safe (see run_serialized_moto). It costs no time here.
    with moto_server(log_path=work_dir / "moto.log", serialized=True) as endpoint:
        extra = rehearsal_variables(endpoint)
        for root in (PERSISTENT, APP):
            deployment.variables[root].update(extra[root])
        with timed(timings, "persistent_apply_s"):
            deployment.apply_persistent()
        with timed(timings, "app_apply_s"):
            outputs = deployment.apply_app(artifact, work_dir / "serverful-outputs.json")
        resources = {root: count(root) for root in (PERSISTENT, APP)}
        expected = {**extra[APP], "artifact_size": artifact.stat().st_size}
        problems = check_applied(endpoint, outputs, expected)

        with timed(timings, "app_destroy_s"):
            # No refresh: moto applies the artifact bucket's TLS-only Deny without its
            # SecureTransport condition, so reading the object back would be refused.
            deployment.destroy(refresh=False)
        problems += check_app_destroyed(endpoint, outputs)
        if left := deployment.app.state_addresses():
            problems.append(f"still in the app state after destroy: {left}")
        if count(PERSISTENT) != resources[PERSISTENT]:
            problems.append("destroying the app changed the persistent state")

        with timed(timings, "persistent_destroy_s"):
            deployment.destroy_persistent(confirm=STACK_NAME)
        problems += check_persistent_destroyed(endpoint, outputs)
        if left := deployment.persistent.state_addresses():
            problems.append(f"still in the persistent state after destroy: {left}")
    if problems:
        raise DeployError("rehearsal found problems:\n  " + "\n  ".join(problems))
    return {"resources": resources, "outputs": sorted(outputs), **timings}


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--artifact", type=Path, default=ROOT / "build/serverful/app.zip")
    parser.add_argument("--keep-logs", type=Path, help="keep the states and the moto log here")
    args = parser.parse_args()
    try:
        if args.keep_logs:
            args.keep_logs.mkdir(parents=True, exist_ok=True)
            report = rehearse(args.artifact, args.keep_logs)
        else:
            with tempfile.TemporaryDirectory(prefix="rehearse-serverful-") as scratch:
                report = rehearse(args.artifact, Path(scratch))
    except DeployError as error:
        print(f"error: {error}", file=sys.stderr)
        return 1
    print("rehearsal ok: " + json.dumps(report))
    return 0


if __name__ == "__main__":
    sys.exit(main())
