"""What the merged SAM template (chalice package + serverless/merge.yaml) promises."""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

ROOT = Path(__file__).resolve().parents[2]
ANY_METHOD = "x-amazon-apigateway-any-method"


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


def to_cloudformation(
    sam_template: dict[str, Any], monkeypatch: pytest.MonkeyPatch
) -> dict[str, Any]:
    """The template as CloudFormation runs it, after the SAM transform."""
    from samtranslator.translator.transform import transform

    monkeypatch.setenv("AWS_DEFAULT_REGION", "us-east-1")  # the translator needs a region

    class NoManagedPolicies:  # the function brings its own role: none are looked up
        def load(self) -> dict[str, str]:
            return {}

    template = json.loads(json.dumps(sam_template))
    template["Resources"]["APIHandler"]["Properties"]["CodeUri"] = "s3://bucket/key.zip"
    return dict(transform(template, {}, NoManagedPolicies()))


def read_template(path: Path) -> dict[str, Any]:
    """A CloudFormation YAML file with its short tags (!Ref, !Sub...) as Fn:: forms."""
    from cfnlint.decode import decode_str

    template, errors = decode_str(path.read_text())
    assert not errors, errors
    return json.loads(json.dumps(template))


def test_template_transforms_to_plain_cloudformation(
    sam_template: dict[str, Any], monkeypatch: pytest.MonkeyPatch
) -> None:
    cfn = to_cloudformation(sam_template, monkeypatch)
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


def test_app_client_is_public_and_signs_in_with_srp_only(resources: dict[str, Any]) -> None:
    p = props(resources, "UserPoolClient")
    assert p["UserPoolId"] == {"Ref": "UserPool"}
    assert p["GenerateSecret"] is False
    # The password never leaves the browser: no USER_PASSWORD_AUTH in a deployed stack.
    assert sorted(p["ExplicitAuthFlows"]) == ["ALLOW_REFRESH_TOKEN_AUTH", "ALLOW_USER_SRP_AUTH"]
    assert p["PreventUserExistenceErrors"] == "ENABLED"
    assert p["EnableTokenRevocation"] is True


def test_tokens_are_short_lived_and_refresh_tokens_rotate(resources: dict[str, Any]) -> None:
    p = props(resources, "UserPoolClient")
    minutes = {"minutes": 1, "hours": 60, "days": 1440}
    units = p["TokenValidityUnits"]
    assert p["IdTokenValidity"] * minutes[units["IdToken"]] <= 60
    assert p["AccessTokenValidity"] * minutes[units["AccessToken"]] <= 60
    assert p["RefreshTokenValidity"] * minutes[units["RefreshToken"]] <= 7 * 1440
    assert p["RefreshTokenRotation"]["Feature"] == "ENABLED"


def test_email_changes_take_effect_only_once_verified(resources: dict[str, Any]) -> None:
    settings = props(resources, "UserPool")["UserAttributeUpdateSettings"]
    assert settings["AttributesRequireVerificationBeforeUpdate"] == ["email"]


def test_threat_protection_is_an_opt_in_parameter(
    sam_template: dict[str, Any], resources: dict[str, Any]
) -> None:
    assert sam_template["Parameters"]["EnableThreatProtection"]["Default"] == "false"
    assert sam_template["Conditions"]["UseThreatProtection"] == {
        "Fn::Equals": [{"Ref": "EnableThreatProtection"}, "true"]
    }
    p = props(resources, "UserPool")
    assert p["UserPoolAddOns"]["AdvancedSecurityMode"] == {
        "Fn::If": ["UseThreatProtection", "ENFORCED", "OFF"]
    }
    assert p["UserPoolTier"]["Fn::If"][:2] == ["UseThreatProtection", "PLUS"]


def test_authorizer_uses_the_stacks_pool_on_every_todo_route(resources: dict[str, Any]) -> None:
    body = props(resources, "RestAPI")["DefinitionBody"]
    authorizer = body["securityDefinitions"]["CognitoAuthorizer"]["x-amazon-apigateway-authorizer"]
    assert authorizer["providerARNs"] == [{"Fn::GetAtt": ["UserPool", "Arn"]}]
    assert "PLACEHOLDER" not in json.dumps(body).upper()
    for path, methods in body["paths"].items():
        for method, spec in methods.items():
            # OPTIONS (preflight) and ANY (a method the route lacks: the app's 405)
            # never reach a view that reads or writes data.
            open_route = method in ("options", ANY_METHOD) or path in ("/health", "/ready")
            assert (spec.get("security") is None) == open_route, f"{method.upper()} {path}"


def test_a_method_a_route_lacks_reaches_the_function_for_its_405(
    resources: dict[str, Any],
) -> None:
    """Without ANY, API Gateway itself answers 403 "Missing Authentication Token"."""
    paths = props(resources, "RestAPI")["DefinitionBody"]["paths"]
    for path, methods in paths.items():
        integration = methods[ANY_METHOD]["x-amazon-apigateway-integration"]
        assert integration["type"] == "aws_proxy", path
        assert integration["uri"] == methods["options"]["x-amazon-apigateway-integration"]["uri"]


def test_gateway_errors_carry_cors_headers_for_the_web_origin(resources: dict[str, Any]) -> None:
    from chalicelib.http import CORS_ALLOW_HEADERS, CORS_ALLOW_METHODS, CORS_EXPOSE_HEADERS

    def listed(value: str) -> set[str]:
        return {v.strip().lower() for v in value.strip("'").split(",")}

    responses = props(resources, "RestAPI")["DefinitionBody"][
        "x-amazon-apigateway-gateway-responses"
    ]
    # DEFAULT_4XX covers UNAUTHORIZED (401 from the Cognito authorizer), 403 and 429.
    assert set(responses) >= {"DEFAULT_4XX", "DEFAULT_5XX", "UNAUTHORIZED"}
    for name in ("DEFAULT_4XX", "DEFAULT_5XX", "UNAUTHORIZED"):
        params = responses[name]["responseParameters"]
        origin = params["gatewayresponse.header.Access-Control-Allow-Origin"]
        assert origin == {"Fn::Sub": "'https://${WebDistribution.DomainName}'"}
        headers = params["gatewayresponse.header.Access-Control-Allow-Headers"]
        assert listed(headers) == listed(CORS_ALLOW_HEADERS)
        methods = params["gatewayresponse.header.Access-Control-Allow-Methods"]
        assert listed(methods) == listed(CORS_ALLOW_METHODS)
        exposed = params["gatewayresponse.header.Access-Control-Expose-Headers"]
        assert listed(exposed) == listed(CORS_EXPOSE_HEADERS)


def test_authorizer_401_is_the_apps_error_shape_with_a_bearer_challenge(
    resources: dict[str, Any],
) -> None:
    unauthorized = props(resources, "RestAPI")["DefinitionBody"][
        "x-amazon-apigateway-gateway-responses"
    ]["UNAUTHORIZED"]
    assert unauthorized["statusCode"] == 401
    params = unauthorized["responseParameters"]
    assert params["gatewayresponse.header.WWW-Authenticate"].strip("'").startswith("Bearer")
    body = json.loads(unauthorized["responseTemplates"]["application/json"])
    assert body["error"]["code"] == "unauthorized" and body["error"]["message"]


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


def test_function_trusts_the_gateway_and_logs_where_its_role_may_write(
    resources: dict[str, Any],
) -> None:
    """The environment's wiring is proved end to end by the `lambda` contract runtime,
    which resolves it from this template; these are what that runtime cannot see."""
    p = props(resources, "APIHandler")
    assert p["Environment"]["Variables"]["AUTH_MODE"] == "gateway"
    log_group = p["LoggingConfig"]["LogGroup"]["Ref"]
    (policy,) = props(resources, "ApiHandlerRole")["Policies"]
    statements = {s["Sid"]: s for s in policy["PolicyDocument"]["Statement"]}
    assert statements["OwnLogGroup"]["Resource"] == [{"Fn::GetAtt": [log_group, "Arn"]}]
    # A function timeout below API Gateway's 29 s integration limit: a stuck call is
    # the function's error, not a gateway timeout.
    assert p["Timeout"] < 29
    assert p["Environment"]["Variables"]["POWERTOOLS_SERVICE_NAME"] == {"Ref": "AWS::StackName"}


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


def test_waf_limits_each_token_and_each_address_on_the_api_stage(
    sam_template: dict[str, Any], resources: dict[str, Any]
) -> None:
    assert sam_template["Parameters"]["EnableWaf"]["Default"] == "true"
    acl = resources["ApiWebAcl"]
    association = resources["ApiWebAclAssociation"]
    assert acl["Condition"] == association["Condition"] == "UseWaf"
    p = acl["Properties"]
    assert p["Scope"] == "REGIONAL" and "Allow" in p["DefaultAction"]
    statements = {r["Name"]: r["Statement"]["RateBasedStatement"] for r in p["Rules"]}
    by_token = statements["per-token-rate-limit"]
    assert by_token["AggregateKeyType"] == "CUSTOM_KEYS"
    assert [k["Header"]["Name"].lower() for k in by_token["CustomKeys"]] == ["authorization"]
    assert by_token["Limit"] == {"Ref": "WafRequestsPerTokenPer5Min"}
    by_ip = statements["per-ip-rate-limit"]
    assert (by_ip["AggregateKeyType"], by_ip["Limit"]) == ("IP", {"Ref": "WafRequestsPerIpPer5Min"})
    for rule in p["Rules"]:
        response = rule["Action"]["Block"]["CustomResponse"]
        assert response["ResponseCode"] == 429
        headers = {h["Name"] for h in response["ResponseHeaders"]}
        assert {"Retry-After", "Access-Control-Allow-Origin"} <= headers
    body = p["CustomResponseBodies"][response["CustomResponseBodyKey"]]
    assert json.loads(body["Content"])["error"]["code"] == "rate_limited"
    stage_arn = association["Properties"]["ResourceArn"]["Fn::Sub"]
    assert stage_arn.endswith("/restapis/${RestAPI}/stages/api")
    assert association["Properties"]["WebACLArn"] == {"Fn::GetAtt": ["ApiWebAcl", "Arn"]}


def test_the_account_wide_logging_role_is_not_in_the_app_stack(
    resources: dict[str, Any],
) -> None:
    types = {r["Type"] for r in resources.values()}
    assert "AWS::ApiGateway::Account" not in types
    account = read_template(ROOT / "serverless" / "account.yaml")
    assert {r["Type"] for r in account["Resources"].values()} == {
        "AWS::IAM::Role",
        "AWS::ApiGateway::Account",
    }


def test_every_role_the_stack_creates_takes_the_permissions_boundary(
    sam_template: dict[str, Any], monkeypatch: pytest.MonkeyPatch
) -> None:
    parameter = sam_template["Parameters"]["PermissionsBoundaryArn"]
    assert parameter["Default"] == ""
    expected = {
        "Fn::If": [
            "HasPermissionsBoundary",
            {"Ref": "PermissionsBoundaryArn"},
            {"Ref": "AWS::NoValue"},
        ]
    }
    account = read_template(ROOT / "serverless" / "account.yaml")
    for template in (to_cloudformation(sam_template, monkeypatch), account):
        roles = [r for r in template["Resources"].values() if r["Type"] == "AWS::IAM::Role"]
        assert roles
        for role in roles:
            assert role["Properties"]["PermissionsBoundary"] == expected


def test_stack_policy_forbids_replacing_or_removing_the_data(resources: dict[str, Any]) -> None:
    from scripts.deploy_serverless import STACK_POLICY

    data_types = ("AWS::DynamoDB::Table", "AWS::Cognito::UserPool")
    data = {f"LogicalResourceId/{lid}" for lid, r in resources.items() if r["Type"] in data_types}
    assert len(data) == 2
    statements = json.loads(STACK_POLICY.read_text())["Statement"]
    (deny,) = [s for s in statements if s["Effect"] == "Deny"]
    assert set(deny["Action"]) == {"Update:Replace", "Update:Delete"}
    assert set(deny["Resource"]) == data
    (allow,) = [s for s in statements if s["Effect"] == "Allow"]
    assert (allow["Action"], allow["Resource"]) == ("Update:*", "*")


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
