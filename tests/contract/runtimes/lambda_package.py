"""Runtime: the built Lambda package behind an emulation of API Gateway (REST API).

What runs is the deployment artifact itself: build/serverless/package/deployment.zip
(`make package-serverless-offline`) unzipped into a task root and imported by a
Python that has only what the Lambda runtime provides (build/lambda-runtime:
`make lambda-runtime`), with the environment the packaged template gives the
function (its !Ref/!GetAtt resolved to a moto server's table, pool and client).
Each execution environment is a worker process (tests/contract/runtimes/lambda_worker.py)
that handles one invocation at a time, as on Lambda.

In front of it, a real local HTTP server plays API Gateway from the same template
(sam.yaml's API definition), doing what the function relies on the gateway for:

- routes and methods come from the definition; anything else is the
  MISSING_AUTHENTICATION_TOKEN gateway response (403), as on AWS;
- the Cognito authorizer, as API Gateway's COGNITO_USER_POOLS authorizer checks a
  token: the Authorization header (optionally "Bearer "-prefixed) must be an RS256
  JWT signed by a key of the pool's JWKS, issued by that pool and not expired; a
  method without OAuth scopes takes only ID tokens (an access token needs a scope
  the method lists). The audience is not checked there (any client of the pool
  passes): the app checks the client itself. Otherwise the UNAUTHORIZED gateway
  response (401). The claims go to the function as strings in
  requestContext.authorizer.claims;
- gateway responses (status, headers, body templates) as the template defines them;
- REST proxy events (payload v1) in, proxy results out; a function error or
  timeout is API Gateway's 502.

Not emulated: throttling, WAF, payload limits other than the 10 MB body, caching.
"""

from __future__ import annotations

import base64
import json
import queue
import re
import select
import subprocess
import tempfile
import threading
import time
import uuid
import zipfile
from collections.abc import Iterator, Mapping
from contextlib import ExitStack, contextmanager
from dataclasses import dataclass
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, unquote, urlsplit

import jwt
import requests
import yaml
from requests.structures import CaseInsensitiveDict

from tests.contract.runtimes.base import ApiResponse
from tests.contract.runtimes.gunicorn_http import GunicornRuntime
from tests.contract.runtimes.inprocess import CORS_ORIGIN
from tools.gunicorn_server import GunicornStack
from tools.local_stack import FAKE_CREDENTIALS, Stack, aws_client, moto_server, provision

ROOT = Path(__file__).resolve().parents[3]
PACKAGE_DIR = ROOT / "build" / "serverless" / "package"
LAMBDA_PYTHON = ROOT / "build" / "lambda-runtime" / "bin" / "python"
# The function's layers, as Lambda mounts them at /opt/python (pyproject's lambda-layers group).
LAYER_DIR = ROOT / "build" / "lambda-runtime" / "opt" / "python"
WORKER = Path(__file__).with_name("lambda_worker.py")
EXECUTION_ENVIRONMENTS = 2
MAX_REQUEST_BYTES = 10 * 1024 * 1024  # API Gateway's payload limit
ACCOUNT_ID = "123456789012"
ANY_METHOD = "x-amazon-apigateway-any-method"
HTTP_METHODS = ("GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS")


class EmulationError(RuntimeError):
    """The package or template cannot be run here; the message says why."""


# ---------------------------------------------------------------- the template


def resolve(value: Any, names: Mapping[str, str]) -> Any:
    """A template value with Ref / Fn::GetAtt / Fn::Sub replaced from `names`
    ("TodoTable", "UserPool.Arn", "AWS::Region", ...)."""

    def lookup(name: str) -> str:
        if name not in names:
            raise EmulationError(f"the gateway emulation has no value for {name!r}")
        return names[name]

    if isinstance(value, list):
        return [resolve(item, names) for item in value]
    if not isinstance(value, dict):
        return value
    if set(value) == {"Ref"}:
        return lookup(value["Ref"])
    if set(value) == {"Fn::GetAtt"}:
        target = value["Fn::GetAtt"]
        return lookup(".".join(target) if isinstance(target, list) else target)
    if set(value) == {"Fn::Sub"} and isinstance(value["Fn::Sub"], str):
        return re.sub(r"\$\{([A-Za-z0-9:.]+)\}", lambda m: lookup(m.group(1)), value["Fn::Sub"])
    return {key: resolve(item, names) for key, item in value.items()}


@dataclass
class PackagedApp:
    """What sam.yaml says about the function and the REST API in front of it."""

    handler: str
    python: str  # "3.13" from Runtime: python3.13
    timeout_ms: int
    memory_mb: int
    environment: dict[str, Any]
    stage: str
    definition: dict[str, Any]
    has_layers: bool = False

    @classmethod
    def load(cls, template_path: Path) -> PackagedApp:
        template = yaml.safe_load(template_path.read_text())
        resources = template["Resources"]
        (function,) = [
            r["Properties"] for r in resources.values() if r["Type"] == "AWS::Serverless::Function"
        ]
        (api,) = [
            r["Properties"] for r in resources.values() if r["Type"] == "AWS::Serverless::Api"
        ]
        return cls(
            handler=function["Handler"],
            python=function["Runtime"].removeprefix("python"),
            timeout_ms=int(function.get("Timeout", 3)) * 1000,
            memory_mb=int(function.get("MemorySize", 128)),
            environment=function.get("Environment", {}).get("Variables", {}),
            stage=api["StageName"],
            definition=api["DefinitionBody"],
            has_layers=bool(function.get("Layers")),
        )


@dataclass
class Route:
    resource: str  # "/todos/{todo_id}"
    methods: dict[str, dict[str, Any]]  # "GET" / "ANY" -> the method's definition


class Routes:
    """The API definition's resources, matched the way API Gateway matches them:
    an exact resource first, then one whose {captures} take whole segments."""

    def __init__(self, paths: Mapping[str, Mapping[str, Any]]) -> None:
        self._routes = [
            Route(
                resource,
                {("ANY" if m == ANY_METHOD else m.upper()): spec for m, spec in methods.items()},
            )
            for resource, methods in paths.items()
        ]
        self._routes.sort(key=lambda route: route.resource.count("{"))

    def match(self, path: str) -> tuple[Route, dict[str, str]] | None:
        if path != "/" and path.endswith("/"):
            path = path[:-1]
        segments = path.split("/")
        for route in self._routes:
            parts = route.resource.split("/")
            if len(parts) != len(segments):
                continue
            captured: dict[str, str] = {}
            for segment, part in zip(segments, parts, strict=True):
                if part.startswith("{") and part.endswith("}"):
                    if not segment:
                        break
                    captured[part[1:-1]] = unquote(segment)
                elif unquote(segment) != part:
                    break
            else:
                return route, captured
        return None


# ---------------------------------------------------------------- the authorizer


class CognitoAuthorizer:
    """API Gateway's COGNITO_USER_POOLS authorizer for one user pool."""

    def __init__(self, issuer: str, jwks_url: str) -> None:
        self.issuer = issuer
        self._jwks_url = jwks_url
        self._keys: dict[str, Any] | None = None
        self._lock = threading.Lock()

    @staticmethod
    def key_from_jwk(jwk: dict[str, Any]) -> Any:
        return jwt.PyJWK.from_dict(jwk).key

    def _key(self, kid: str) -> Any:
        with self._lock:
            if self._keys is None:
                jwks = requests.get(self._jwks_url, timeout=10).json()
                self._keys = {k["kid"]: self.key_from_jwk(k) for k in jwks["keys"]}
            return self._keys.get(kid)

    def claims(self, authorization: str | None, scopes: list[str]) -> dict[str, str] | None:
        """The token's claims as API Gateway passes them, or None for a 401."""
        if not authorization:
            return None
        token = authorization.removeprefix("Bearer ").strip()
        try:
            header = jwt.get_unverified_header(token)
            key = self._key(str(header.get("kid")))
            if key is None or header.get("alg") != "RS256":
                return None
            claims = jwt.decode(
                token,
                key,
                algorithms=["RS256"],
                issuer=self.issuer,
                options={"verify_aud": False, "require": ["exp", "iss", "token_use"]},
            )
        except jwt.PyJWTError:
            return None
        if scopes:
            granted = set(str(claims.get("scope", "")).split())
            if claims["token_use"] != "access" or not granted & set(scopes):
                return None
        elif claims["token_use"] != "id":
            return None
        return {name: claim_string(value) for name, value in claims.items()}


def claim_string(value: Any) -> str:
    """Claims reach the function as strings ("true", dates as API Gateway writes them)."""
    if isinstance(value, bool):
        return str(value).lower()
    if isinstance(value, list):
        return "[" + ", ".join(str(item) for item in value) + "]"
    return str(value)


# ---------------------------------------------------------------- the function


class ExecutionEnvironment:
    """One worker process running the package (one invocation at a time)."""

    def __init__(self, command: list[str], env: dict[str, str], log: Any) -> None:
        self._process = subprocess.Popen(
            command,
            env=env,
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            stderr=log,
            text=True,
            start_new_session=True,
        )
        ready = self._read_line(timeout=60)
        if ready is None or not ready.get("ready"):
            self.stop()
            raise EmulationError(f"the package did not start (worker said {ready!r}); see its log")
        self.python = "{}.{}".format(*ready["python"])

    def _read_line(self, timeout: float) -> dict[str, Any] | None:
        assert self._process.stdout is not None
        readable, _, _ = select.select([self._process.stdout], [], [], timeout)
        line = self._process.stdout.readline() if readable else ""
        return json.loads(line) if line else None

    def invoke(self, event: dict[str, Any], request_id: str, timeout_ms: int) -> Any:
        """The handler's result; None if it did not answer in time (or died)."""
        assert self._process.stdin is not None
        invocation = {"event": event, "request_id": request_id, "timeout_ms": timeout_ms}
        try:
            self._process.stdin.write(json.dumps(invocation) + "\n")
            self._process.stdin.flush()
        except BrokenPipeError:
            return None
        answer = self._read_line(timeout=timeout_ms / 1000)
        return None if answer is None else answer["result"]

    @property
    def alive(self) -> bool:
        return self._process.poll() is None

    def stop(self) -> None:
        self._process.kill()
        self._process.wait()
        for stream in (self._process.stdin, self._process.stdout):
            if stream:
                stream.close()


class LambdaFunction:
    """The function: a pool of execution environments (a timed-out or crashed one
    is replaced by a new one, a cold start, as Lambda does)."""

    def __init__(self, app: PackagedApp, task_root: Path, env: dict[str, str], log: Any) -> None:
        self.app = app
        self._command = [str(LAMBDA_PYTHON), "-I", str(WORKER), str(task_root), app.handler]
        if app.has_layers:
            if not any(LAYER_DIR.glob("*")):
                raise EmulationError(
                    "the function has layers: list what they provide in pyproject.toml's "
                    "lambda-layers group and run `make lambda-runtime`"
                )
            self._command.append(str(LAYER_DIR))
        self._env = env
        self._log = log
        self._idle: queue.Queue[ExecutionEnvironment] = queue.Queue()
        self._all: list[ExecutionEnvironment] = []
        for _ in range(EXECUTION_ENVIRONMENTS):
            self._idle.put(self._start())
        python = self._all[0].python
        if python != app.python:
            raise EmulationError(
                f"the template's runtime is python{app.python} but {LAMBDA_PYTHON} is "
                f"Python {python}: rebuild it with that Python (`make lambda-runtime PYTHON=...`)"
            )

    def _start(self) -> ExecutionEnvironment:
        environment = ExecutionEnvironment(self._command, self._env, self._log)
        self._all.append(environment)
        return environment

    def invoke(self, event: dict[str, Any], request_id: str) -> Any:
        environment = self._idle.get()
        result = None
        try:
            result = environment.invoke(event, request_id, self.app.timeout_ms)
        finally:
            if result is None or not environment.alive:
                environment.stop()
                environment = self._start()
            self._idle.put(environment)
        return result

    def cold_start(self) -> float:
        """Replace every execution environment with a new one (as after a deploy);
        the seconds one took from its process start to the handler imported."""
        started = time.perf_counter()
        fresh = [self._start() for _ in range(EXECUTION_ENVIRONMENTS)]
        init_seconds = (time.perf_counter() - started) / len(fresh)
        while not self._idle.empty():
            self._idle.get().stop()
        for environment in fresh:
            self._idle.put(environment)
        return init_seconds

    def stop(self) -> None:
        for environment in self._all:
            environment.stop()


# ---------------------------------------------------------------- the gateway


@dataclass
class GatewayAnswer:
    status: int
    headers: list[tuple[str, str]]
    body: bytes


class Gateway:
    """API Gateway in front of the function, configured from the API definition."""

    def __init__(
        self,
        app: PackagedApp,
        function: LambdaFunction,
        authorizers: dict[str, CognitoAuthorizer],
        names: Mapping[str, str],
    ) -> None:
        definition = app.definition
        self.app = app
        self.function = function
        self.authorizers = authorizers
        self.routes = Routes(definition["paths"])
        responses = definition.get("x-amazon-apigateway-gateway-responses", {})
        self.responses: dict[str, Any] = resolve(responses, names)
        self.binary_types: list[str] = definition.get("x-amazon-apigateway-binary-media-types", [])
        # The API's own domain, set once the server listens: API Gateway routes by it,
        # so the event never carries a Host the client chose.
        self.domain_name = ""

    def handle(
        self, method: str, target: str, headers: list[tuple[str, str]], body: bytes, peer: str
    ) -> GatewayAnswer:
        request_id = str(uuid.uuid4())
        parts = urlsplit(target)
        stage_prefix = f"/{self.app.stage}"
        request_headers = CaseInsensitiveDict(dict(headers))
        if not (parts.path == stage_prefix or parts.path.startswith(stage_prefix + "/")):
            return self.gateway_response(
                "MISSING_AUTHENTICATION_TOKEN", request_headers, request_id
            )
        path = parts.path[len(stage_prefix) :] or "/"
        matched = self.routes.match(path)
        if matched is None:
            return self.gateway_response(
                "MISSING_AUTHENTICATION_TOKEN", request_headers, request_id
            )
        route, path_parameters = matched
        spec = route.methods.get(method) or route.methods.get("ANY")
        if spec is None:
            return self.gateway_response(
                "MISSING_AUTHENTICATION_TOKEN", request_headers, request_id
            )
        if len(body) > MAX_REQUEST_BYTES:
            return self.gateway_response("REQUEST_TOO_LARGE", request_headers, request_id)
        authorizer_context = None
        for requirement in spec.get("security", []):
            ((name, scopes),) = requirement.items()
            claims = self.authorizers[name].claims(request_headers.get("authorization"), scopes)
            if claims is None:
                return self.gateway_response("UNAUTHORIZED", request_headers, request_id)
            authorizer_context = {"claims": claims}
        event = self.event(method, parts.query, path, route, path_parameters, headers, body, peer)
        event["requestContext"]["requestId"] = request_id
        if authorizer_context:
            event["requestContext"]["authorizer"] = authorizer_context
        result = self.function.invoke(event, request_id)
        if not isinstance(result, dict) or "statusCode" not in result:
            # A function error, a timeout or a malformed result.
            return self.gateway_response("DEFAULT_5XX", request_headers, request_id, status=502)
        return self.proxy_result(result, request_id)

    def event(
        self,
        method: str,
        query: str,
        path: str,
        route: Route,
        path_parameters: dict[str, str],
        headers: list[tuple[str, str]],
        body: bytes,
        peer: str,
    ) -> dict[str, Any]:
        """The REST API proxy event (payload format 1.0)."""
        multi_headers: dict[str, list[str]] = {}
        for name, value in headers:
            multi_headers.setdefault(name, []).append(value)
        # API Gateway sets these itself, whatever the client sent.
        for name, value in (("X-Forwarded-For", peer), ("X-Forwarded-Proto", "http")):
            for existing in [n for n in multi_headers if n.lower() == name.lower()]:
                del multi_headers[existing]
            multi_headers[name] = [value]
        multi_query = parse_qs(query, keep_blank_values=True) if query else {}
        content_type = next((v for n, v in headers if n.lower() == "content-type"), "")
        is_base64 = bool(body) and self._is_binary(content_type, body)
        return {
            "resource": route.resource,
            "path": unquote(path),
            "httpMethod": method,
            "headers": {name: values[-1] for name, values in multi_headers.items()} or None,
            "multiValueHeaders": multi_headers or None,
            "queryStringParameters": {k: v[-1] for k, v in multi_query.items()} or None,
            "multiValueQueryStringParameters": multi_query or None,
            "pathParameters": path_parameters or None,
            "stageVariables": None,
            "requestContext": {
                "resourcePath": route.resource,
                "httpMethod": method,
                "path": f"/{self.app.stage}{path}",
                "stage": self.app.stage,
                "accountId": ACCOUNT_ID,
                "apiId": "local",
                "domainName": self.domain_name,
                "protocol": "HTTP/1.1",
                "requestTimeEpoch": int(time.time() * 1000),
                "identity": {
                    "sourceIp": peer,
                    "userAgent": multi_headers.get("User-Agent", [None])[-1],
                },
            },
            "body": (
                (base64.b64encode(body).decode() if is_base64 else body.decode()) if body else None
            ),
            "isBase64Encoded": is_base64,
        }

    def _is_binary(self, content_type: str, body: bytes) -> bool:
        media_type = content_type.split(";")[0].strip().lower()
        for pattern in self.binary_types:
            if re.fullmatch(re.escape(pattern).replace(r"\*", ".*"), media_type):
                return True
        try:
            body.decode()
        except UnicodeDecodeError:
            return True
        return False

    def proxy_result(self, result: dict[str, Any], request_id: str) -> GatewayAnswer:
        headers = [(n, str(v)) for n, v in (result.get("headers") or {}).items()]
        multi = result.get("multiValueHeaders") or {}
        headers = [(n, v) for n, v in headers if n not in multi]
        headers += [(n, str(v)) for n, values in multi.items() for v in values]
        names = {name.lower() for name, _ in headers}
        if "content-type" not in names:
            headers.append(("Content-Type", "application/json"))
        headers.append(("x-amzn-RequestId", request_id))
        raw = result.get("body") or ""
        body = base64.b64decode(raw) if result.get("isBase64Encoded") else raw.encode()
        return GatewayAnswer(int(result["statusCode"]), headers, body)

    def gateway_response(
        self,
        kind: str,
        request_headers: Mapping[str, str],
        request_id: str,
        status: int | None = None,
    ) -> GatewayAnswer:
        """One of API Gateway's own answers, customised by the definition's
        x-amazon-apigateway-gateway-responses (the type's own, else DEFAULT_4XX/5XX)."""
        default_status, message, error_type = GATEWAY_RESPONSES[kind]
        status = status or default_status
        family = "DEFAULT_5XX" if status >= 500 else "DEFAULT_4XX"
        spec = self.responses.get(kind) or self.responses.get(family) or {}
        status = int(spec.get("statusCode", status))
        headers = [
            ("Content-Type", "application/json"),
            ("x-amzn-RequestId", request_id),
            ("x-amzn-ErrorType", error_type),
        ]
        for parameter, value in spec.get("responseParameters", {}).items():
            name = parameter.removeprefix("gatewayresponse.header.")
            if value.startswith("'") and value.endswith("'"):
                headers.append((name, value[1:-1]))
            elif value.startswith("method.request.header."):
                sent = request_headers.get(value.removeprefix("method.request.header."))
                if sent is not None:
                    headers.append((name, sent))
        template = spec.get("responseTemplates", {}).get(
            "application/json", '{"message":$context.error.messageString}'
        )
        body = (
            template.replace("$context.error.messageString", json.dumps(message))
            .replace("$context.error.message", message)
            .replace("$context.requestId", request_id)
        )
        return GatewayAnswer(status, headers, body.encode())


# (default status, message, x-amzn-ErrorType) of the gateway responses used here.
GATEWAY_RESPONSES = {
    "MISSING_AUTHENTICATION_TOKEN": (
        403,
        "Missing Authentication Token",
        "MissingAuthenticationTokenException",
    ),
    "UNAUTHORIZED": (401, "Unauthorized", "UnauthorizedException"),
    "REQUEST_TOO_LARGE": (413, "Request Too Long", "RequestTooLongException"),
    "DEFAULT_5XX": (502, "Internal server error", "InternalServerErrorException"),
}


def gateway_server(gateway: Gateway) -> ThreadingHTTPServer:
    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"
        # Headers and body are two writes: without TCP_NODELAY the body waits for the
        # client's delayed ACK, ~40 ms a response that API Gateway does not add.
        disable_nagle_algorithm = True

        def handle_method(self) -> None:
            length = int(self.headers.get("Content-Length") or 0)
            body = self.rfile.read(length) if length else b""
            answer = gateway.handle(
                self.command, self.path, list(self.headers.items()), body, self.client_address[0]
            )
            self.send_response(answer.status)
            for name, value in answer.headers:
                if name.lower() not in ("content-length", "connection", "transfer-encoding"):
                    self.send_header(name, value)
            self.send_header("Content-Length", str(len(answer.body)))
            self.end_headers()
            if self.command != "HEAD":
                self.wfile.write(answer.body)

        def log_message(self, format: str, *args: Any) -> None:
            pass

    for method in HTTP_METHODS:
        setattr(Handler, f"do_{method}", Handler.handle_method)
    # A backlog as deep as the contract suite's concurrency (the default 5 resets connections).
    ThreadingHTTPServer.request_queue_size = 64
    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    server.daemon_threads = True
    return server


# ---------------------------------------------------------------- the runtime


class LambdaRuntime(GunicornRuntime):
    """Over HTTP like the gunicorn runtime; the API lives under its stage path."""

    name = "lambda"
    function: LambdaFunction
    # API Gateway's Cognito authorizer, on methods without OAuth scopes, takes ID
    # tokens only; the app elsewhere verifies access tokens too (tests/contract/test_auth.py).
    accepts_access_tokens = False

    def _send(self, method: str, path: str, headers: dict[str, str], body: bytes) -> ApiResponse:
        stage_path = urlsplit(self.transport_url).path
        if path == stage_path or path.startswith(stage_path + "/"):
            path = path[len(stage_path) :]  # the API's own links carry the stage
        return super()._send(method, path, headers, body)


def stand_in_names(stack: Stack, web_origin: str) -> dict[str, str]:
    """The foundation's outputs (the template's parameters) as the moto server has them,
    for resolving the template."""
    pool_arn = f"arn:aws:cognito-idp:{stack.region}:{ACCOUNT_ID}:userpool/{stack.user_pool_id}"
    return {
        "AWS::Region": stack.region,
        "AWS::AccountId": ACCOUNT_ID,
        "AWS::Partition": "aws",
        "AWS::URLSuffix": "amazonaws.com",
        "AWS::StackName": "todo-local",
        "TableName": stack.table,
        "TableArn": f"arn:aws:dynamodb:{stack.region}:{ACCOUNT_ID}:table/{stack.table}",
        "UserPoolId": stack.user_pool_id,
        "UserPoolArn": pool_arn,
        "UserPoolClientId": stack.client_id,
        "FrontDoorUrl": web_origin,
    }


def check_prerequisites(package_dir: Path) -> None:
    missing = []
    if not (package_dir / "deployment.zip").exists() or not (package_dir / "sam.yaml").exists():
        missing.append(
            f"{package_dir}/deployment.zip and sam.yaml: run `make package-serverless-offline`"
        )
    if not LAMBDA_PYTHON.exists():
        missing.append(f"{LAMBDA_PYTHON}: run `make lambda-runtime`")
    if missing:
        raise EmulationError("the lambda runtime needs " + "; ".join(missing))


@contextmanager
def lambda_runtime(
    package_dir: Path = PACKAGE_DIR,
    *,
    stack: Stack | None = None,
    environment: Mapping[str, str] | None = None,
) -> Iterator[LambdaRuntime]:
    """The package behind the gateway, on `stack`'s moto server (else a new one);
    `environment` adds to or overrides the function's variables from the template."""
    check_prerequisites(package_dir)
    app = PackagedApp.load(package_dir / "sam.yaml")
    with ExitStack() as running:
        work = Path(running.enter_context(tempfile.TemporaryDirectory(prefix="lambda-runtime-")))
        task_root = work / "task"
        with zipfile.ZipFile(package_dir / "deployment.zip") as archive:
            archive.extractall(task_root)
        if stack is None:
            stack = provision(running.enter_context(moto_server(log_path=work / "moto.log")))
        endpoint = stack.endpoint
        assert endpoint, "the lambda runtime needs a moto server's stack"
        names = stand_in_names(stack, CORS_ORIGIN)
        env = {
            # What Lambda sets, then the function's own variables from the template.
            "PATH": "/usr/bin:/bin",
            "LANG": "en_US.UTF-8",
            "TZ": ":UTC",
            "LAMBDA_TASK_ROOT": str(task_root),
            "AWS_LAMBDA_FUNCTION_NAME": "todo-api",
            "AWS_LAMBDA_FUNCTION_MEMORY_SIZE": str(app.memory_mb),
            "AWS_REGION": stack.region,
            "AWS_DEFAULT_REGION": stack.region,
            **FAKE_CREDENTIALS,
            **{
                name: str(resolve(value, names))
                for name, value in app.environment.items()
                # No front door here: links name the gateway, as runtime.base_url says.
                if name != "PUBLIC_API_ORIGIN"
            },
            # The one addition: DynamoDB is the moto server, not the regional endpoint.
            "DYNAMODB_ENDPOINT": endpoint,
            **(environment or {}),
        }
        log = running.enter_context(open(work / "function.log", "ab"))
        try:
            function = LambdaFunction(app, task_root, env, log)
        except EmulationError:
            print(f"--- function log ---\n{(work / 'function.log').read_text()[-4000:]}")
            raise
        running.callback(function.stop)
        authorizers = {
            name: CognitoAuthorizer(stack.issuer, stack.jwks_url)
            for name, scheme in app.definition.get("securityDefinitions", {}).items()
            if scheme.get("x-amazon-apigateway-authtype") == "cognito_user_pools"
        }
        gateway = Gateway(app, function, authorizers, names)
        server = gateway_server(gateway)
        gateway.domain_name = f"127.0.0.1:{server.server_address[1]}"
        threading.Thread(target=server.serve_forever, daemon=True).start()
        running.callback(server.server_close)
        running.callback(server.shutdown)
        base_url = f"http://127.0.0.1:{server.server_address[1]}/{app.stage}"
        cognito = aws_client("cognito-idp", endpoint)
        runtime = LambdaRuntime(GunicornStack(base_url, stack, cognito))
        runtime.function = function
        # API Gateway serves HTTPS only, so the app's links say https; this one speaks http.
        runtime.base_url = f"https://{gateway.domain_name}/{app.stage}"
        yield runtime
