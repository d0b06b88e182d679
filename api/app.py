"""Todo API: routes and request/response mapping only.

The use cases live in chalicelib.service, storage in chalicelib.dynamo, and
identity in chalicelib.auth. The same `app` serves Lambda (via API Gateway)
and EC2 (via the WSGI shim in chalice_wsgi).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any
from urllib.parse import quote, urlencode

from chalice import Chalice, CognitoUserPoolAuthorizer, Response
from chalice.app import Request

from chalicelib.auth import Authenticator
from chalicelib.config import AUTH_MODE_GATEWAY, Settings, get_settings
from chalicelib.domain import Todo
from chalicelib.errors import ApiError, Unauthorized
from chalicelib.http import (
    base_url,
    cors_headers,
    empty_response,
    error_response,
    etag,
    expected_version,
    json_response,
    normalise_chalice_error,
    parse_completed,
    parse_limit,
    preflight_headers,
    query_params,
    read_json_body,
)
from chalicelib.observability import (
    TODOS_COMPLETED,
    TODOS_CREATED,
    TODOS_DELETED,
    Observability,
)
from chalicelib.readiness import Readiness
from chalicelib.service import TodoService

# Logging is Powertools' (chalicelib.observability): Chalice adds no handler of its
# own, and reports unhandled view exceptions on Powertools' logger.
app = Chalice(app_name="todo-api", configure_logs=False)
observability = Observability(get_settings())
app.log = observability.app_logger
# JSON only: no binary media types (which also spares Chalice matching every
# request and response against its default list of 16).
app.api.binary_types = []

# On Lambda (AUTH_MODE=gateway, set by the prod stage) API Gateway's Cognito
# authorizer guards every todo route; the provider ARN is a placeholder that
# the serverless merge template replaces with the stack's user pool.
# Elsewhere there is no gateway: chalice's local imitation of the authorizer
# decodes tokens without verifying them (and fails with a 500 on malformed
# ones), so it is left off and the app's own JWT verification is the gate.
PLACEHOLDER_USER_POOL_ARN = "arn:aws:cognito-idp:us-east-1:000000000000:userpool/placeholder"
cognito = (
    CognitoUserPoolAuthorizer("CognitoAuthorizer", provider_arns=[PLACEHOLDER_USER_POOL_ARN])
    if get_settings().auth_mode == AUTH_MODE_GATEWAY
    else None
)


@dataclass
class Dependencies:
    settings: Settings
    service: TodoService
    authenticator: Authenticator
    readiness: Readiness | None = None


_dependencies: Dependencies | None = None


def configure(dependencies: Dependencies | None) -> None:
    """Swap the service/authenticator (tests); None rebuilds from the environment."""
    global _dependencies
    _dependencies = dependencies


def dependencies() -> Dependencies:
    global _dependencies
    if _dependencies is None:
        _dependencies = build_dependencies(get_settings())
    return _dependencies


def build_dependencies(settings: Settings) -> Dependencies:
    # Imported on first request, not at import time: keeps `import app` fast.
    from chalicelib.dynamo import DynamoTodoRepository, bind_models

    bind_models(settings.table_name, settings.region, settings.dynamodb_endpoint)
    return Dependencies(
        settings=settings,
        service=TodoService(DynamoTodoRepository()),
        authenticator=Authenticator(settings),
        readiness=Readiness(settings),
    )


# The load balancer's liveness probe (every few seconds from each ALB node) is not
# user traffic: a healthy answer is neither logged nor counted, so probes neither
# drown the request log nor skew the Requests and Latency metrics; a failing one is.
LIVENESS_ROUTE = "/health"


@app.middleware("http")
def api_middleware(request: Request, get_response: Callable[[Request], Response]) -> Response:
    """One JSON error shape, CORS and X-Request-Id on every response, errors
    included, and one log line (and metrics) per request."""
    context = request.context
    lambda_context = app.lambda_context
    with observability.request(
        context.get("requestId"),  # API Gateway's, or the WSGI shim's; else a new one
        request.method,
        context.get("resourcePath", ""),
        function_request_id=getattr(lambda_context, "aws_request_id", None),
    ) as record:
        try:
            response = get_response(request)
        except ApiError as exc:
            if isinstance(exc, Unauthorized):
                observability.auth_failed(exc.reason)
            response = error_response(exc)
        response = normalise_chalice_error(response)
        origin = request.headers.get("origin")
        allowed = bool(origin) and dependencies().settings.allows_origin(origin or "")
        response.headers.update(cors_headers(origin, allowed))
        response.headers["X-Request-Id"] = record.request_id
        if not (record.route == LIVENESS_ROUTE and response.status_code == 200):
            observability.finish(record, response.status_code)
    return response


def _request() -> Request:
    request = app.current_request
    assert request is not None  # always set while a route runs
    return request


def current_owner() -> str:
    request = _request()
    sub = dependencies().authenticator.identify(request.headers, request.context).sub
    observability.set_user(sub)
    return sub


def service() -> TodoService:
    watch_storage()
    return dependencies().service


def watch_storage() -> None:
    """Count this request's DynamoDB requests (the client exists once per process)."""
    from chalicelib.dynamo import dynamodb_client

    observability.watch_dynamodb(dynamodb_client())


def todo_url(base: str, todo: Todo) -> str:
    return f"{base}/todos/{quote(todo.id)}"


def todo_response(todo: Todo, status: int = 200, headers: dict[str, str] | None = None) -> Response:
    url = todo_url(base_url(_request(), dependencies().settings), todo)
    headers = {"ETag": etag(todo.version), **(headers or {})}
    if status == 201:
        headers["Location"] = url
    return json_response(todo.to_json(url), status, headers)


# Liveness: the process answers. No dependency is called, so the load balancer's
# health check never takes every instance out when DynamoDB has a bad minute.
@app.route(LIVENESS_ROUTE, methods=["GET"])
def health() -> Response:
    return json_response({"status": "ok"})


# Readiness: this process can serve (DynamoDB answers; the JWKS is reachable when
# the app verifies tokens itself). For deploy steps and smoke checks; 503 + Retry-After.
@app.route("/ready", methods=["GET"])
def ready() -> Response:
    deps = dependencies()
    if deps.readiness is None:
        deps.readiness = Readiness(deps.settings)
    watch_storage()
    deps.readiness.check()
    return json_response({"status": "ready"})


@app.route("/todos", methods=["GET"], authorizer=cognito)
def list_todos() -> Response:
    owner = current_owner()
    request = _request()
    params = query_params(request, ("completed", "limit", "cursor"))
    page = service().list(
        owner,
        completed=parse_completed(params.get("completed")),
        limit=parse_limit(params.get("limit")),
        cursor=params.get("cursor"),
    )
    base = base_url(request, dependencies().settings)
    headers: dict[str, Any] = {}
    if page.next_cursor:
        next_params = {k: v for k, v in params.items() if k != "cursor"}
        next_params["cursor"] = page.next_cursor
        headers["Link"] = f'<{base}/todos?{urlencode(next_params)}>; rel="next"'
    return json_response([t.to_json(todo_url(base, t)) for t in page.todos], headers=headers)


@app.route("/todos", methods=["POST"], authorizer=cognito)
def create_todo() -> Response:
    owner = current_owner()
    request = _request()
    query_params(request, ())
    created = service().create(
        owner, read_json_body(request), request.headers.get("idempotency-key")
    )
    headers = {"Idempotent-Replayed": "true"} if created.replayed else {}
    if not created.replayed:
        observability.todo_event(TODOS_CREATED)
    return todo_response(created.todo, 201, headers)


@app.route("/todos", methods=["PATCH"], authorizer=cognito)
def complete_all() -> Response:
    owner = current_owner()
    request = _request()
    query_params(request, ())
    payload = read_json_body(request)
    updated = service().set_all_completed(owner, payload)
    if payload.get("completed") is True:  # valid by now: the service checked it
        observability.todo_event(TODOS_COMPLETED, updated.count)
    return json_response({"updated": updated.count, "more": updated.more})


@app.route("/todos", methods=["DELETE"], authorizer=cognito)
def delete_todos() -> Response:
    owner = current_owner()
    params = query_params(_request(), ("completed",))
    deleted = service().delete_all(owner, completed=parse_completed(params.get("completed")))
    observability.todo_event(TODOS_DELETED, deleted.count)
    return json_response({"deleted": deleted.count, "more": deleted.more})


@app.route("/todos/{todo_id}", methods=["GET"], authorizer=cognito)
def get_todo(todo_id: str) -> Response:
    owner = current_owner()
    query_params(_request(), ())
    return todo_response(service().get(owner, todo_id))


@app.route("/todos/{todo_id}", methods=["PATCH"], authorizer=cognito)
def update_todo(todo_id: str) -> Response:
    owner = current_owner()
    request = _request()
    query_params(request, ())
    todo = service().update(owner, todo_id, read_json_body(request), expected_version(request))
    if todo.completed and todo.completed_at == todo.updated_at:  # completed by this request
        observability.todo_event(TODOS_COMPLETED)
    return todo_response(todo)


@app.route("/todos/{todo_id}", methods=["DELETE"], authorizer=cognito)
def delete_todo(todo_id: str) -> Response:
    owner = current_owner()
    request = _request()
    query_params(request, ())
    service().delete(owner, todo_id, expected_version(request))
    observability.todo_event(TODOS_DELETED)
    return empty_response()


# Undo of a delete, within the window (docs/data-model.md): 204, the todo is back.
@app.route("/todos/{todo_id}/restore", methods=["POST"], authorizer=cognito)
def restore_todo(todo_id: str) -> Response:
    owner = current_owner()
    query_params(_request(), ())
    service().restore(owner, todo_id)
    return empty_response()


# CORS preflight: browsers send it without credentials, so no authorizer.
@app.route("/health", methods=["OPTIONS"])
@app.route("/ready", methods=["OPTIONS"])
@app.route("/todos", methods=["OPTIONS"])
@app.route("/todos/{todo_id}", methods=["OPTIONS"])
@app.route("/todos/{todo_id}/restore", methods=["OPTIONS"])
def preflight(todo_id: str | None = None) -> Response:
    return empty_response(204, preflight_headers())
