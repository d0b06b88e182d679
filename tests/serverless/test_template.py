"""What the merged SAM template (chalice package + serverless/merge.yaml) promises."""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from scripts import rehearse_serverless

ROOT = Path(__file__).resolve().parents[2]


def props(resources: dict[str, Any], logical_id: str) -> dict[str, Any]:
    return dict(resources[logical_id]["Properties"])


def walk(node: Any) -> Iterator[Any]:
    yield node
    if isinstance(node, dict):
        for value in node.values():
            yield from walk(value)
    elif isinstance(node, list):
        for value in node:
            yield from walk(value)


def test_template_transforms_to_plain_cloudformation(sam_template: dict[str, Any]) -> None:
    template = json.loads(json.dumps(sam_template))
    cfn = rehearse_serverless.to_cloudformation(template, "bucket", "key.zip")
    types = {r["Type"] for r in cfn["Resources"].values()}
    assert not any(t.startswith("AWS::Serverless::") for t in types)
    assert {"AWS::ApiGateway::Stage", "AWS::Lambda::Function"} <= types


def test_table_matches_the_pynamodb_model_and_is_retained(resources: dict[str, Any]) -> None:
    from chalicelib.dynamo import IdempotencyRecord, TodoItem

    table = resources["TodoTable"]
    assert table["Type"] == "AWS::DynamoDB::Table"
    assert table["DeletionPolicy"] == table["UpdateReplacePolicy"] == "Retain"
    p = table["Properties"]
    schema = TodoItem._get_schema()

    def keys(key_schema: list[Any]) -> dict[str, str]:
        return {k["AttributeName"]: k["KeyType"] for k in key_schema}

    assert keys(p["KeySchema"]) == keys(schema["key_schema"])
    assert {(a["AttributeName"], a["AttributeType"]) for a in p["AttributeDefinitions"]} == {
        (a["AttributeName"], a["AttributeType"]) for a in schema["attribute_definitions"]
    }
    model_indexes = {
        i["index_name"]: (keys(i["key_schema"]), i["projection"]["ProjectionType"])
        for i in schema["local_secondary_indexes"]
    }
    template_indexes = {
        i["IndexName"]: (keys(i["KeySchema"]), i["Projection"]["ProjectionType"])
        for i in p["LocalSecondaryIndexes"]
    }
    assert template_indexes == model_indexes
    assert "GlobalSecondaryIndexes" not in p and not schema["global_secondary_indexes"]
    assert p["TimeToLiveSpecification"] == {
        "AttributeName": IdempotencyRecord._ttl_attribute().attr_name,
        "Enabled": True,
    }
    assert p["BillingMode"] == "PAY_PER_REQUEST"
    assert p["PointInTimeRecoverySpecification"] == {"PointInTimeRecoveryEnabled": True}
    assert p["SSESpecification"] == {"SSEEnabled": True}


def test_user_pool_signs_in_by_email_with_strong_passwords(resources: dict[str, Any]) -> None:
    pool = resources["UserPool"]
    assert pool["DeletionPolicy"] == pool["UpdateReplacePolicy"] == "Retain"
    p = pool["Properties"]
    assert p["UsernameAttributes"] == ["email"]
    assert p["AutoVerifiedAttributes"] == ["email"]
    policy = p["Policies"]["PasswordPolicy"]
    assert policy["MinimumLength"] >= 12
    assert all(
        policy[k]
        for k in ("RequireLowercase", "RequireUppercase", "RequireNumbers", "RequireSymbols")
    )
    assert p["AccountRecoverySetting"]["RecoveryMechanisms"] == [
        {"Name": "verified_email", "Priority": 1}
    ]
    assert p["MfaConfiguration"] == "OPTIONAL"
    assert p["EnabledMfas"] == ["SOFTWARE_TOKEN_MFA"]


def test_user_pool_emails_through_ses_only_when_given_an_identity(
    sam_template: dict[str, Any], resources: dict[str, Any]
) -> None:
    parameter = sam_template["Parameters"]["SesIdentityArn"]
    assert parameter["Default"] == ""
    pattern = re.compile(parameter["AllowedPattern"])
    assert pattern.fullmatch("")
    assert pattern.fullmatch("arn:aws:ses:eu-west-1:123456789012:identity/example.com")
    assert not pattern.fullmatch("arn:aws:s3:::example.com")
    assert sam_template["Conditions"]["SendEmailThroughSes"] == {
        "Fn::Not": [{"Fn::Equals": [{"Ref": "SesIdentityArn"}, ""]}]
    }
    condition, through_ses, default = props(resources, "UserPool")["EmailConfiguration"]["Fn::If"]
    assert condition == "SendEmailThroughSes"
    assert default == {"EmailSendingAccount": "COGNITO_DEFAULT"}
    assert through_ses["EmailSendingAccount"] == "DEVELOPER"
    assert through_ses["SourceArn"] == {"Ref": "SesIdentityArn"}
    assert through_ses["From"] == {
        "Fn::If": ["HasEmailFrom", {"Ref": "EmailFrom"}, {"Ref": "AWS::NoValue"}]
    }


def test_app_client_is_public_with_the_agreed_flows(resources: dict[str, Any]) -> None:
    p = props(resources, "UserPoolClient")
    assert p["UserPoolId"] == {"Ref": "UserPool"}
    assert p["GenerateSecret"] is False
    assert sorted(p["ExplicitAuthFlows"]) == [
        "ALLOW_REFRESH_TOKEN_AUTH",
        "ALLOW_USER_PASSWORD_AUTH",
        "ALLOW_USER_SRP_AUTH",
    ]
    assert p["PreventUserExistenceErrors"] == "ENABLED"
    assert p["TokenValidityUnits"] == {
        "AccessToken": "minutes",
        "IdToken": "minutes",
        "RefreshToken": "days",
    }
    assert p["IdTokenValidity"] <= 60 and p["AccessTokenValidity"] <= 60
    assert 1 <= p["RefreshTokenValidity"] <= 30


def test_authorizer_uses_the_stacks_pool_on_every_todo_route(resources: dict[str, Any]) -> None:
    body = props(resources, "RestAPI")["DefinitionBody"]
    authorizer = body["securityDefinitions"]["CognitoAuthorizer"]["x-amazon-apigateway-authorizer"]
    assert authorizer["providerARNs"] == [{"Fn::GetAtt": ["UserPool", "Arn"]}]
    assert "PLACEHOLDER" not in json.dumps(body).upper()
    for path, methods in body["paths"].items():
        for method, spec in methods.items():
            open_route = method == "options" or path in ("/health", "/ready")
            assert (spec.get("security") is None) == open_route, f"{method.upper()} {path}"


def test_gateway_errors_carry_cors_headers_for_the_web_origin(resources: dict[str, Any]) -> None:
    from chalicelib.http import CORS_ALLOW_HEADERS, CORS_ALLOW_METHODS

    def listed(value: str) -> set[str]:
        return {v.strip().lower() for v in value.strip("'").split(",")}

    responses = props(resources, "RestAPI")["DefinitionBody"][
        "x-amazon-apigateway-gateway-responses"
    ]
    # DEFAULT_4XX covers UNAUTHORIZED (401 from the Cognito authorizer), 403 and 429.
    assert set(responses) >= {"DEFAULT_4XX", "DEFAULT_5XX"}
    for name in ("DEFAULT_4XX", "DEFAULT_5XX"):
        params = responses[name]["responseParameters"]
        origin = params["gatewayresponse.header.Access-Control-Allow-Origin"]
        assert origin == {"Fn::Sub": "'https://${WebDistribution.DomainName}'"}
        headers = params["gatewayresponse.header.Access-Control-Allow-Headers"]
        assert listed(headers) == listed(CORS_ALLOW_HEADERS)
        methods = params["gatewayresponse.header.Access-Control-Allow-Methods"]
        assert listed(methods) == listed(CORS_ALLOW_METHODS)


def test_stage_is_throttled_traced_and_access_logged(resources: dict[str, Any]) -> None:
    p = props(resources, "RestAPI")
    assert p["StageName"] == "api"
    assert p["TracingEnabled"] is True
    (setting,) = p["MethodSettings"]
    assert setting["ResourcePath"] == "/*" and setting["HttpMethod"] == "*"
    assert setting["ThrottlingRateLimit"] == {"Ref": "ApiThrottleRateLimit"}
    assert setting["ThrottlingBurstLimit"] == {"Ref": "ApiThrottleBurstLimit"}
    assert "${ApiAccessLogGroup}" in p["AccessLogSetting"]["DestinationArn"]["Fn::Sub"]
    assert "$context.requestId" in p["AccessLogSetting"]["Format"]
    for group in ("ApiAccessLogGroup", "APIHandlerLogGroup"):
        assert props(resources, group)["RetentionInDays"] == {"Ref": "LogRetentionDays"}


def test_function_is_wired_to_the_stacks_resources(resources: dict[str, Any]) -> None:
    p = props(resources, "APIHandler")
    assert p["Environment"]["Variables"] == {
        "AUTH_MODE": "gateway",  # API Gateway's Cognito authorizer checks the tokens
        "TABLE_NAME": {"Fn::Sub": "${TodoTable}"},
        "COGNITO_USER_POOL_ID": {"Fn::Sub": "${UserPool}"},
        "COGNITO_APP_CLIENT_ID": {"Fn::Sub": "${UserPoolClient}"},
        "CORS_ORIGINS": {"Fn::Sub": "https://${WebDistribution.DomainName}"},
        # The metrics' service dimension: the stack's name (tests/serverless/test_monitoring.py).
        "POWERTOOLS_SERVICE_NAME": {"Ref": "AWS::StackName"},
    }
    assert p["Tracing"] == "Active"
    assert p["MemorySize"] == 512 and p["Timeout"] == 10
    assert p["LoggingConfig"] == {"LogGroup": {"Ref": "APIHandlerLogGroup"}}
    assert p["Tags"]["app"] == "todo"


def test_function_role_is_least_privilege(resources: dict[str, Any]) -> None:
    (policy,) = props(resources, "ApiHandlerRole")["Policies"]
    statements = {s["Sid"]: s for s in policy["PolicyDocument"]["Statement"]}
    table = statements["TodoTableItems"]
    assert sorted(table["Action"]) == sorted(
        f"dynamodb:{a}"
        for a in ("GetItem", "PutItem", "UpdateItem", "DeleteItem", "Query", "BatchWriteItem")
    )
    assert table["Resource"] == [
        {"Fn::GetAtt": ["TodoTable", "Arn"]},
        {"Fn::Sub": "${TodoTable.Arn}/index/*"},
    ]
    assert statements["OwnLogGroup"]["Resource"] == [{"Fn::GetAtt": ["APIHandlerLogGroup", "Arn"]}]
    assert sorted(statements["XRayTraces"]["Action"]) == [
        "xray:PutTelemetryRecords",
        "xray:PutTraceSegments",
    ]


def test_no_policy_in_the_stack_allows_a_wildcard_action(resources: dict[str, Any]) -> None:
    for node in walk(resources):
        if isinstance(node, dict) and node.get("Effect") == "Allow" and "Action" in node:
            actions = node["Action"] if isinstance(node["Action"], list) else [node["Action"]]
            assert not any("*" in action for action in actions), node


def test_web_bucket_is_private_encrypted_and_versioned(resources: dict[str, Any]) -> None:
    p = props(resources, "WebBucket")
    assert all(p["PublicAccessBlockConfiguration"].values())
    assert len(p["PublicAccessBlockConfiguration"]) == 4
    rule = p["BucketEncryption"]["ServerSideEncryptionConfiguration"][0]
    assert rule["ServerSideEncryptionByDefault"]["SSEAlgorithm"] in ("AES256", "aws:kms")
    assert p["VersioningConfiguration"] == {"Status": "Enabled"}
    (read,) = [
        s
        for s in props(resources, "WebBucketPolicy")["PolicyDocument"]["Statement"]
        if s["Effect"] == "Allow"
    ]
    assert read["Principal"] == {"Service": "cloudfront.amazonaws.com"}
    assert read["Action"] == "s3:GetObject"
    assert "${WebDistribution}" in read["Condition"]["StringEquals"]["AWS:SourceArn"]["Fn::Sub"]


def test_cloudfront_uses_origin_access_control_https_and_spa_fallback(
    resources: dict[str, Any],
) -> None:
    types = {r["Type"] for r in resources.values()}
    assert "AWS::CloudFront::CloudFrontOriginAccessIdentity" not in types
    config = props(resources, "WebDistribution")["DistributionConfig"]
    (origin,) = config["Origins"]
    assert origin["OriginAccessControlId"] == {"Fn::GetAtt": ["WebOriginAccessControl", "Id"]}
    assert origin["S3OriginConfig"] == {"OriginAccessIdentity": ""}
    assert (
        props(resources, "WebOriginAccessControl")["OriginAccessControlConfig"]["SigningBehavior"]
        == "always"
    )
    behavior = config["DefaultCacheBehavior"]
    assert behavior["ViewerProtocolPolicy"] == "https-only"
    assert behavior["ResponseHeadersPolicyId"] == {"Ref": "WebSecurityHeadersPolicy"}
    assert config["DefaultRootObject"] == "index.html"
    fallbacks = {
        (e["ErrorCode"], e["ResponseCode"], e["ResponsePagePath"])
        for e in config["CustomErrorResponses"]
    }
    assert fallbacks == {(403, 200, "/index.html"), (404, 200, "/index.html")}
    headers = props(resources, "WebSecurityHeadersPolicy")["ResponseHeadersPolicyConfig"][
        "SecurityHeadersConfig"
    ]
    assert headers["StrictTransportSecurity"]["AccessControlMaxAgeSec"] >= 31536000
    assert headers["FrameOptions"]["FrameOption"] == "DENY"
    assert (
        "frame-ancestors 'none'"
        in headers["ContentSecurityPolicy"]["ContentSecurityPolicy"]["Fn::Sub"]
    )


def test_outputs_name_everything_the_deploy_scripts_read(sam_template: dict[str, Any]) -> None:
    from scripts.deploy_serverless import OUTPUT_KEYS

    assert set(OUTPUT_KEYS) <= set(sam_template["Outputs"])
    assert sam_template["Outputs"]["WebUrl"]["Value"] == {
        "Fn::Sub": "https://${WebDistribution.DomainName}"
    }


def test_every_skipped_checkov_check_has_a_reason() -> None:
    lines = [
        line
        for line in (ROOT / "serverless" / "checkov-skips.txt").read_text().splitlines()
        if line.strip() and not line.startswith("#")
    ]
    assert lines
    for line in lines:
        match = re.fullmatch(r"(CKV2?_AWS_\d+)\s+(.+)", line)
        assert match, f"not 'CHECK_ID  reason': {line!r}"
        assert len(match.group(2)) > 40, f"give {match.group(1)} a real reason"
