"""The API Gateway emulation of the `lambda` contract runtime behaves as API Gateway
documents it, where the contract suite alone could not tell
(tests/contract/runtimes/lambda_package.py)."""

from __future__ import annotations

from typing import Any, cast

from tests.contract.runtimes.inprocess import moto_public_jwks
from tests.contract.runtimes.lambda_package import (
    CognitoAuthorizer,
    Gateway,
    PackagedApp,
    Routes,
    resolve,
)
from tests.tokens import claims_for, signed

ISSUER = "https://cognito-idp.us-east-1.amazonaws.com/us-east-1_pool"
SCOPE = "aws.cognito.signin.user.admin"


def authorizer() -> CognitoAuthorizer:
    authorizer = CognitoAuthorizer(ISSUER, "http://unused.invalid/jwks.json")
    authorizer._keys = {"dummy": CognitoAuthorizer.key_from_jwk(moto_public_jwks()["keys"][0])}
    return authorizer


def access_token() -> str:
    claims = claims_for(ISSUER, "c", token_use="access", client_id="c", scope=SCOPE)
    del claims["aud"]  # access tokens name their client in client_id
    return signed(claims)


def test_without_oauth_scopes_only_id_tokens_pass_and_claims_arrive_as_strings() -> None:
    id_token = signed(claims_for(ISSUER, "client", email_verified=True))
    claims = authorizer().claims(f"Bearer {id_token}", [])
    assert claims is not None
    assert claims["email_verified"] == "true" and isinstance(claims["exp"], str)
    assert authorizer().claims(id_token, []) is not None  # the raw token works too
    assert authorizer().claims(f"Bearer {access_token()}", []) is None


def test_with_oauth_scopes_only_an_access_token_with_one_of_them_passes() -> None:
    assert authorizer().claims(access_token(), [SCOPE]) is not None
    assert authorizer().claims(access_token(), ["other/scope"]) is None
    assert authorizer().claims(signed(claims_for(ISSUER, "client")), [SCOPE]) is None


def test_another_pools_token_and_the_audience() -> None:
    assert authorizer().claims(signed(claims_for(ISSUER + "x", "client")), []) is None
    # API Gateway's Cognito authorizer does not check the audience: the app does.
    assert authorizer().claims(signed(claims_for(ISSUER, "another-client")), []) is not None


def test_routes_match_as_api_gateway_does() -> None:
    routes = Routes({"/todos": {"get": {}}, "/todos/{id}": {"x-amazon-apigateway-any-method": {}}})
    assert routes.match("/todos/") == (routes.match("/todos") or (None, None))
    route, captured = routes.match("/todos/a%2Fb") or (None, {})
    assert route is not None and route.resource == "/todos/{id}" and captured == {"id": "a/b"}
    assert set(route.methods) == {"ANY"}
    assert routes.match("/todos/a/b") is None and routes.match("/nope") is None


def gateway(responses: dict[str, Any]) -> Gateway:
    definition = {"paths": {}, "x-amazon-apigateway-gateway-responses": responses}
    app = PackagedApp("app.app", "3.11", 10_000, 512, {}, "api", definition)
    return Gateway(app, cast(Any, None), {}, {"Web.DomainName": "app.example.com"})


def test_gateway_responses_use_the_types_own_then_the_default_4xx() -> None:
    cors = {
        "gatewayresponse.header.Access-Control-Allow-Origin": {
            "Fn::Sub": "'https://${Web.DomainName}'"
        }
    }
    responses = {
        "DEFAULT_4XX": {"responseParameters": cors},
        "UNAUTHORIZED": {
            "statusCode": 401,
            "responseParameters": {"gatewayresponse.header.X-Echo": "method.request.header.origin"},
            "responseTemplates": {"application/json": '{"id": "$context.requestId"}'},
        },
    }
    emulated = gateway(responses)
    missing = emulated.gateway_response("MISSING_AUTHENTICATION_TOKEN", {}, "r1")
    assert missing.status == 403
    assert missing.body == b'{"message":"Missing Authentication Token"}'
    assert ("Access-Control-Allow-Origin", "https://app.example.com") in missing.headers
    unauthorized = emulated.gateway_response("UNAUTHORIZED", {"origin": "https://o"}, "r2")
    assert (unauthorized.status, unauthorized.body) == (401, b'{"id": "r2"}')
    assert ("X-Echo", "https://o") in unauthorized.headers
    assert not any(name == "Access-Control-Allow-Origin" for name, _ in unauthorized.headers)


def test_template_references_resolve_or_fail_loudly() -> None:
    names = {"TodoTable": "todos", "UserPool.Arn": "arn:pool", "AWS::Region": "eu-west-1"}
    value = {"A": {"Ref": "TodoTable"}, "B": [{"Fn::GetAtt": ["UserPool", "Arn"]}]}
    assert resolve(value, names) == {"A": "todos", "B": ["arn:pool"]}
    assert resolve({"Fn::Sub": "x-${AWS::Region}"}, names) == "x-eu-west-1"
    try:
        resolve({"Ref": "Unknown"}, names)
    except RuntimeError as error:
        assert "Unknown" in str(error)
    else:
        raise AssertionError("an unknown reference must fail")
