"""What the merged SAM template (chalice package + infra/serverless/merge.yaml) promises."""

from __future__ import annotations

import json
import re
from typing import Any

import pytest

from tests.infra.ci.cfn import load_template
from tests.infra.serverless.support import ROOT, props

ANY_METHOD = "x-amazon-apigateway-any-method"


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


def test_authorizer_uses_the_stacks_pool_on_every_todo_route(resources: dict[str, Any]) -> None:
    body = props(resources, "RestAPI")["DefinitionBody"]
    authorizer = body["securityDefinitions"]["CognitoAuthorizer"]["x-amazon-apigateway-authorizer"]
    assert authorizer["providerARNs"] == [{"Ref": "UserPoolArn"}]  # the foundation's pool
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
        assert origin == {"Fn::Sub": "'${FrontDoorUrl}'"}
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


def test_outputs_name_everything_the_deploy_scripts_read(sam_template: dict[str, Any]) -> None:
    from tools.deploy_serverless import OUTPUT_KEYS

    assert set(OUTPUT_KEYS) <= set(sam_template["Outputs"])


def test_the_stack_is_compute_only_the_data_and_the_front_door_are_the_foundations(
    resources: dict[str, Any],
) -> None:
    """Defined once, in infra/foundation (docs/foundation.md): never a copy here."""
    types = {r["Type"] for r in resources.values()}
    foundations = {
        "AWS::DynamoDB::Table", "AWS::Cognito::UserPool", "AWS::Cognito::UserPoolClient",
        "AWS::S3::Bucket", "AWS::CloudFront::Distribution", "AWS::WAFv2::WebACL",
        "AWS::WAFv2::WebACLAssociation", "AWS::SNS::Topic", "AWS::KMS::Key",
        "AWS::ApiGateway::Account",  # the region's logging role: infra/serverless/account.yaml
    }  # fmt: skip
    assert types & foundations == set()


def test_foundation_parameters_are_the_foundations_outputs(sam_template: dict[str, Any]) -> None:
    """Each parameter without a default is one of infra/foundation's outputs, by the
    mapping the deploy script passes them with, and no output is misnamed."""
    from tools.deploy_serverless import FOUNDATION_PARAMETERS

    outputs_tf = (ROOT / "infra" / "foundation" / "outputs.tf").read_text()
    foundation_outputs = set(re.findall(r'^output "([a-z_]+)"', outputs_tf, re.MULTILINE))
    parameters = sam_template["Parameters"]
    required = {name for name, spec in parameters.items() if "Default" not in spec}
    assert required == set(FOUNDATION_PARAMETERS)
    assert set(FOUNDATION_PARAMETERS.values()) <= foundation_outputs


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
    account = load_template(ROOT / "infra" / "serverless" / "account.yaml")
    for template in (to_cloudformation(sam_template, monkeypatch), account):
        roles = [r for r in template["Resources"].values() if r["Type"] == "AWS::IAM::Role"]
        assert roles
        for role in roles:
            assert role["Properties"]["PermissionsBoundary"] == expected
