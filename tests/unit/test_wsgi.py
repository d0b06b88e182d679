"""ChaliceWSGIAdapter against a small Chalice app defined here.

The app echoes the event it was given, so each test checks the event the adapter
built (what Chalice sees on Lambda) as well as the HTTP response it sent back.
The parity tests send the same requests through chalice's own test client (the
in-process stand-in for API Gateway + Lambda) and through the adapter.
"""

from __future__ import annotations

import base64
import io
import json
import threading
import time
from typing import Any

import pytest
from chalice import (
    BadRequestError,
    Chalice,
    CognitoUserPoolAuthorizer,
    NotFoundError,
    Response,
)
from chalice.test import Client as ChaliceClient
from werkzeug.test import Client

from chalicelib.wsgi import MAX_BODY_BYTES, ChaliceWSGIAdapter

BLOB = bytes(range(256)) * 4

app = Chalice(app_name="wsgi-shim-test")
authorizer = CognitoUserPoolAuthorizer(
    "TestPool", provider_arns=["arn:aws:cognito-idp:us-east-1:123456789012:userpool/x"]
)


def _event() -> dict[str, Any]:
    request = app.current_request
    assert request is not None
    return request.to_original_event()


@app.route("/items/{item_id}", methods=["GET", "PUT", "DELETE"])
def item(item_id: str) -> dict[str, Any]:
    return {"item_id": item_id, "event": _event()}


@app.route("/plain/{name}", methods=["GET", "PUT"])
def plain(name: str) -> dict[str, Any]:
    request = app.current_request
    assert request is not None
    query = request.query_params
    return {"name": name, "tags": query.getlist("tag") if query else None}


@app.route("/items/special")
def special_item() -> dict[str, Any]:
    return {"special": True, "event": _event()}


@app.route(
    "/echo",
    methods=["POST", "GET"],
    content_types=["application/json", "application/octet-stream", "text/plain"],
)
def echo() -> dict[str, Any]:
    request = app.current_request
    assert request is not None
    raw = request.raw_body
    raw_bytes = raw if isinstance(raw, bytes) else raw.encode()
    return {
        "event": _event(),
        "raw_body_b64": base64.b64encode(raw_bytes).decode(),
        "header_via_any_case": request.headers.get("X-CUSTOM-HEADER"),
    }


@app.route("/json", methods=["POST"])
def json_view() -> dict[str, Any]:
    request = app.current_request
    assert request is not None
    return {"got": request.json_body}


@app.route("/blob")
def blob() -> Response:
    return Response(body=BLOB, headers={"Content-Type": "application/octet-stream"})


@app.route("/multi")
def multi() -> Response:
    return Response(
        body="ok",
        headers={"Content-Type": "text/plain", "Set-Cookie": ["a=1", "b=2"], "X-Single": "one"},
    )


@app.route("/bad")
def bad() -> None:
    raise BadRequestError("nope")


@app.route("/missing")
def missing() -> None:
    raise NotFoundError("no such thing")


@app.route("/boom")
def boom() -> None:
    raise RuntimeError("kaput")


@app.route("/cors", cors=True)
def cors_view() -> dict[str, str]:
    return {"cors": "yes"}


@app.route("/secured", authorizer=authorizer)
def secured() -> dict[str, Any]:
    return {"authorizer": _event()["requestContext"].get("authorizer")}


@app.route("/slow/{n}")
def slow(n: str) -> dict[str, Any]:
    # Yields the CPU between reading and using app.current_request, which is
    # where two threads running the app at once would swap requests.
    request = app.current_request
    time.sleep(0.001)
    assert request is not None
    return {"n": n, "seen": (app.current_request or request).uri_params}


MEETING_SIZE = 4
_meeting = threading.Barrier(MEETING_SIZE, timeout=5)


@app.route("/meet/{n}")
def meet(n: str) -> dict[str, Any]:
    _meeting.wait()  # threading.BrokenBarrierError (a 500) if the others never come
    request = app.current_request
    assert request is not None
    seen = (request.uri_params or {})["n"]
    return {"n": seen, "met": seen == n}


@pytest.fixture(scope="module")
def adapter() -> ChaliceWSGIAdapter:
    return ChaliceWSGIAdapter(app)


@pytest.fixture(scope="module")
def client(adapter: ChaliceWSGIAdapter) -> Client:
    return Client(adapter)


def event_of(response: Any) -> dict[str, Any]:
    assert response.status_code == 200, response.data
    return json.loads(response.data)["event"]


# -- routing ------------------------------------------------------------------


def test_path_parameters_are_url_decoded_and_resource_is_the_route(client: Client) -> None:
    response = client.get("/items/a%2Fb%20c%C3%A9")
    event = event_of(response)
    assert json.loads(response.data)["item_id"] == "a/b cé"
    assert event["resource"] == "/items/{item_id}"
    assert event["requestContext"]["resourcePath"] == "/items/{item_id}"
    assert event["pathParameters"] == {"item_id": "a/b cé"}
    assert event["httpMethod"] == "GET"
    assert event["path"] == "/items/a/b cé"


def test_concrete_route_wins_over_a_captured_one(client: Client) -> None:
    body = json.loads(client.get("/items/special").data)
    assert body["special"] is True
    assert body["event"]["pathParameters"] is None


def test_trailing_slash_matches_like_api_gateway(client: Client) -> None:
    assert json.loads(client.get("/items/42/").data)["item_id"] == "42"


def test_semicolon_stays_in_the_path_parameter(client: Client) -> None:
    assert json.loads(client.get("/items/a;b").data)["item_id"] == "a;b"


def test_absolute_form_and_double_slash_request_targets(adapter: ChaliceWSGIAdapter) -> None:
    event = adapter.build_event(_environ("GET", "/items/1", RAW_URI="http://h/items/9?x=1"), "r")
    assert event is not None
    assert event["pathParameters"] == {"item_id": "9"}
    assert adapter.build_event(_environ("GET", "//items", RAW_URI="//items"), "r") is None


def test_unknown_route_is_the_contracts_404(client: Client) -> None:
    response = client.get("/nope")
    assert response.status_code == 404
    assert response.json == {
        "error": {"code": "not_found", "message": "no route matches this path"}
    }
    assert response.headers["Content-Type"] == "application/json"


def test_unknown_route_never_echoes_the_token(client: Client) -> None:
    token = "eyJhbGciOiJSUzI1NiJ9.eyJzdWIiOiJzZWNyZXQifQ.c2lnbmF0dXJl"
    response = client.get("/nope", headers={"Authorization": f"Bearer {token}"})
    assert response.status_code == 404
    assert token.encode() not in response.data
    assert all(token not in value for _name, value in response.headers.items())


def test_wrong_method_is_chalices_405_with_allow(client: Client) -> None:
    response = client.post("/items/1")
    assert response.status_code == 405
    assert json.loads(response.data)["Code"] == "MethodNotAllowedError"
    assert set(response.headers["Allow"].split(", ")) == {"GET", "PUT", "DELETE"}


# -- query strings --------------------------------------------------------------


def test_repeated_query_keys_give_single_and_multi_value_maps(client: Client) -> None:
    event = event_of(client.get("/items/1?tag=a&tag=b%20c&empty=&one=1"))
    assert event["multiValueQueryStringParameters"] == {
        "tag": ["a", "b c"],
        "empty": [""],
        "one": ["1"],
    }
    assert event["queryStringParameters"] == {"tag": "b c", "empty": "", "one": "1"}


def test_no_query_string_is_null_like_api_gateway(client: Client) -> None:
    event = event_of(client.get("/items/1"))
    assert event["queryStringParameters"] is None
    assert event["multiValueQueryStringParameters"] is None


# -- headers --------------------------------------------------------------------


def test_headers_are_case_insensitive_and_multi_valued(client: Client) -> None:
    response = client.post(
        "/echo",
        headers=[("X-Custom-Header", "hello"), ("X-Multi", "a"), ("X-Multi", "b")],
    )
    body = json.loads(response.data)
    event = body["event"]
    assert body["header_via_any_case"] == "hello"
    assert event["headers"]["x-custom-header"] == "hello"
    assert event["multiValueHeaders"]["x-multi"] == ["a", "b"]
    assert event["headers"]["x-multi"] == "a, b"


def test_folded_header_from_gunicorn_is_split_but_dates_are_not(
    adapter: ChaliceWSGIAdapter,
) -> None:
    environ = _environ(
        "GET",
        "/items/1",
        HTTP_X_MULTI="a,b",
        HTTP_IF_MODIFIED_SINCE="Wed, 21 Oct 2015 07:28:00 GMT",
    )
    event = adapter.build_event(environ, "rid")
    assert event is not None
    assert event["multiValueHeaders"]["x-multi"] == ["a", "b"]
    assert event["multiValueHeaders"]["if-modified-since"] == ["Wed, 21 Oct 2015 07:28:00 GMT"]


def test_many_distinct_header_names_are_all_kept(adapter: ChaliceWSGIAdapter) -> None:
    environ = _environ("GET", "/items/1")
    environ.update({f"HTTP_X_CLIENT_CHOSEN_{i}": str(i) for i in range(600)})
    event = adapter.build_event(environ, "rid")
    assert event is not None
    assert all(event["headers"][f"x-client-chosen-{i}"] == str(i) for i in range(600))


def test_empty_content_type_is_no_header_but_empty_custom_header_is_kept(
    adapter: ChaliceWSGIAdapter,
) -> None:
    event = adapter.build_event(
        _environ("GET", "/items/1", CONTENT_TYPE="", CONTENT_LENGTH="", HTTP_X_EMPTY=""), "rid"
    )
    assert event is not None
    assert "content-type" not in event["headers"]
    assert "content-length" not in event["headers"]
    assert event["headers"]["x-empty"] == ""


def test_multi_value_response_headers_are_all_sent(client: Client) -> None:
    response = client.get("/multi")
    assert response.headers.getlist("Set-Cookie") == ["a=1", "b=2"]
    assert response.headers["X-Single"] == "one"
    assert response.headers["Content-Type"] == "text/plain"
    assert response.data == b"ok"


# -- bodies -----------------------------------------------------------------------


def test_text_body_is_passed_as_a_string(client: Client) -> None:
    event = event_of(client.post("/echo", data="héllo", content_type="text/plain"))
    assert event["body"] == "héllo"
    assert event["isBase64Encoded"] is False


def test_json_body_reaches_the_view(client: Client) -> None:
    response = client.post("/json", json={"title": "x", "n": [1, 2]})
    assert response.status_code == 200
    assert response.json == {"got": {"title": "x", "n": [1, 2]}}


def test_malformed_json_is_chalices_400(client: Client) -> None:
    response = client.post("/json", data="{nope", content_type="application/json")
    assert response.status_code == 400
    assert response.json == {"Code": "BadRequestError", "Message": "Error Parsing JSON"}


def test_binary_body_arrives_intact(client: Client) -> None:
    response = client.post("/echo", data=BLOB, content_type="application/octet-stream")
    body = json.loads(response.data)
    assert body["event"]["isBase64Encoded"] is True
    assert base64.b64decode(body["event"]["body"]) == BLOB
    assert base64.b64decode(body["raw_body_b64"]) == BLOB


def test_non_utf8_text_body_arrives_intact(client: Client) -> None:
    data = b"\xff\xfe not utf-8"
    body = json.loads(client.post("/echo", data=data, content_type="text/plain").data)
    assert body["event"]["isBase64Encoded"] is True
    assert base64.b64decode(body["raw_body_b64"]) == data


def test_no_body_is_null(client: Client) -> None:
    event = event_of(client.get("/echo"))
    assert event["body"] is None
    assert event["isBase64Encoded"] is False


def test_binary_response_is_decoded_from_base64(client: Client) -> None:
    response = client.get("/blob", headers={"Accept": "application/octet-stream"})
    assert response.status_code == 200
    assert response.data == BLOB
    assert response.headers["Content-Length"] == str(len(BLOB))


def test_binary_response_without_accept_is_chalices_400(client: Client) -> None:
    response = client.get("/blob")
    assert response.status_code == 400
    assert json.loads(response.data)["Code"] == "BadRequest"


def test_body_over_the_api_gateway_limit_is_413(adapter: ChaliceWSGIAdapter) -> None:
    environ = _environ("POST", "/echo", CONTENT_LENGTH=str(MAX_BODY_BYTES + 1))
    status, _headers, body = _call(adapter, environ)
    assert status.startswith("413")
    assert json.loads(body) == {
        "error": {
            "code": "payload_too_large",
            "message": f"the body must be at most {MAX_BODY_BYTES} bytes",
        }
    }


def test_chunked_body_over_the_limit_is_413() -> None:
    small = ChaliceWSGIAdapter(app, max_body_bytes=10)
    environ = _environ(
        "POST", "/echo", body=b"x" * 11, CONTENT_LENGTH="", HTTP_TRANSFER_ENCODING="chunked"
    )
    environ["wsgi.input_terminated"] = True
    status, _headers, body = _call(small, environ)
    assert status.startswith("413")
    assert json.loads(body)["error"]["code"] == "payload_too_large"


def test_chunked_body_is_read_to_its_end(client: Client) -> None:
    response = client.post(
        "/echo",
        input_stream=io.BytesIO(b"chunked body"),
        headers={"Transfer-Encoding": "chunked", "Content-Type": "text/plain"},
    )
    assert event_of(response)["body"] == "chunked body"


def test_a_request_without_length_or_chunking_has_no_body(adapter: ChaliceWSGIAdapter) -> None:
    # gunicorn marks every request's input as terminated; only chunked ones have a body.
    environ = _environ("GET", "/echo", body=b"", CONTENT_LENGTH="")
    environ["wsgi.input_terminated"] = True
    environ["wsgi.input"] = _ExplodingStream()
    event = adapter.build_event(environ, "rid")
    assert event is not None
    assert event["body"] is None


class _ExplodingStream(io.RawIOBase):
    def read(self, size: int = -1) -> bytes:
        raise AssertionError("the body of a bodiless request was read")


def test_bad_content_length_is_400(adapter: ChaliceWSGIAdapter) -> None:
    status, _headers, body = _call(adapter, _environ("POST", "/echo", CONTENT_LENGTH="ten"))
    assert status.startswith("400")
    assert json.loads(body) == {
        "error": {"code": "bad_request", "message": "the Content-Length header is malformed"}
    }


# -- errors -------------------------------------------------------------------------


def test_chalice_view_errors_keep_their_status_and_body(client: Client) -> None:
    assert client.get("/bad").status_code == 400
    assert client.get("/bad").json == {"Code": "BadRequestError", "Message": "nope"}
    assert client.get("/missing").status_code == 404


def test_unhandled_exception_is_a_500_without_details(client: Client) -> None:
    response = client.get("/boom")
    assert response.status_code == 500
    assert response.json == {
        "Code": "InternalServerError",
        "Message": "An internal server error occurred.",
    }
    assert b"kaput" not in response.data


# -- CORS ------------------------------------------------------------------------


def test_preflight_on_a_cors_route_is_generated(client: Client) -> None:
    response = client.options("/cors")
    assert response.status_code == 200
    assert response.headers["Access-Control-Allow-Origin"] == "*"
    assert response.headers["Access-Control-Allow-Methods"] == "GET,OPTIONS"


def test_cors_headers_on_a_cors_route(client: Client) -> None:
    assert client.get("/cors").headers["Access-Control-Allow-Origin"] == "*"


# -- request context and identity -----------------------------------------------------


def test_request_context_has_stage_request_id_and_path(client: Client) -> None:
    response = client.get("/items/7")
    context = event_of(response)["requestContext"]
    assert context["stage"] == "api"
    assert context["path"] == "/items/7"
    assert context["httpMethod"] == "GET"
    assert context["requestId"] == response.headers["x-amzn-RequestId"]
    assert "authorizer" not in context


def test_each_request_gets_its_own_request_id(client: Client) -> None:
    ids = {client.get("/items/1").headers["x-amzn-RequestId"] for _ in range(3)}
    assert len(ids) == 3


def test_source_ip_is_the_peer_never_x_forwarded_for(client: Client) -> None:
    response = client.get(
        "/items/1",
        headers={"X-Forwarded-For": "6.6.6.6"},
        environ_overrides={"REMOTE_ADDR": "10.0.0.9"},
    )
    assert event_of(response)["requestContext"]["identity"]["sourceIp"] == "10.0.0.9"


def test_identity_is_never_taken_from_the_request(client: Client) -> None:
    # chalice's local gateway would decode this unverified token into
    # requestContext.authorizer; the adapter must leave identity to the app.
    claims = base64.urlsafe_b64encode(
        json.dumps({"sub": "attacker", "cognito:username": "attacker"}).encode()
    ).decode()
    forged = f"eyJhbGciOiJub25lIn0.{claims.rstrip('=')}."
    response = client.get(
        "/secured",
        headers={"Authorization": f"Bearer {forged}", "X-Amzn-Oidc-Identity": "attacker"},
    )
    assert response.status_code == 200
    assert response.json == {"authorizer": None}


# -- concurrency -------------------------------------------------------------------------


def test_threads_never_see_each_others_requests(adapter: ChaliceWSGIAdapter) -> None:
    mismatches: list[str] = []

    def worker(worker_id: int) -> None:
        threaded = Client(adapter)
        for i in range(10):
            n = f"{worker_id}-{i}"
            body = threaded.get(f"/slow/{n}").json
            if body != {"n": n, "seen": {"n": n}}:
                mismatches.append(f"{n}: {body}")

    threads = [threading.Thread(target=worker, args=(w,)) for w in range(6)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert mismatches == []


def test_threads_run_the_app_at_the_same_time(adapter: ChaliceWSGIAdapter) -> None:
    # Each request waits in the app until all of them are in it (one at a time, the
    # first would wait for the others in vain and get Chalice's 500).
    results: dict[int, Any] = {}

    def send(n: int) -> None:
        results[n] = Client(adapter).get(f"/meet/{n}").json

    threads = [threading.Thread(target=send, args=(n,)) for n in range(MEETING_SIZE)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert results == {n: {"n": str(n), "met": True} for n in range(MEETING_SIZE)}


# -- parity with chalice's own test client --------------------------------------------------

PARITY_REQUESTS: list[tuple[str, str, dict[str, str], bytes]] = [
    ("GET", "/plain/abc", {}, b""),
    # (not an encoded path parameter: API Gateway decodes it, chalice.local does not)
    ("GET", "/plain/ab?tag=1&tag=2&tag=a%20b", {}, b""),
    ("PUT", "/plain/x/", {}, b""),
    ("POST", "/items/x", {}, b""),
    ("PATCH", "/items/x", {}, b""),
    ("POST", "/json", {"Content-Type": "application/json"}, b'{"a": 1}'),
    ("POST", "/json", {"Content-Type": "application/json"}, b"{nope"),
    ("POST", "/json", {"Content-Type": "text/html"}, b"<p>"),
    ("GET", "/blob", {"Accept": "application/octet-stream"}, b""),
    ("GET", "/blob", {}, b""),
    ("GET", "/multi", {}, b""),
    ("GET", "/bad", {}, b""),
    ("GET", "/missing", {}, b""),
    ("GET", "/boom", {}, b""),
    ("GET", "/cors", {}, b""),
    # (chalice's test client cannot answer a generated OPTIONS preflight itself.)
]


@pytest.mark.parametrize(("method", "path", "headers", "body"), PARITY_REQUESTS)
def test_same_answer_as_chalices_local_gateway(
    client: Client, method: str, path: str, headers: dict[str, str], body: bytes
) -> None:
    with ChaliceClient(app) as chalice_client:
        expected = chalice_client.http.request(method, path, headers=headers, body=body)
    actual = client.open(path, method=method, headers=headers, data=body)
    assert actual.status_code == expected.status_code
    assert actual.data == expected.body
    for name, value in expected.headers.items():
        if name.lower() == "x-amzn-requestid":
            continue  # a fresh id per request, on both sides
        if isinstance(value, list):
            assert actual.headers.getlist(name) == value, name
        else:
            assert actual.headers[name] == value, name


# -- helpers ---------------------------------------------------------------------------


def _environ(method: str, path: str, *, body: bytes = b"", **extra: str) -> dict[str, Any]:
    environ: dict[str, Any] = {
        "REQUEST_METHOD": method,
        "PATH_INFO": path,
        "RAW_URI": path,
        "QUERY_STRING": "",
        "SERVER_PROTOCOL": "HTTP/1.1",
        "REMOTE_ADDR": "127.0.0.1",
        "wsgi.input": io.BytesIO(body),
    }
    environ.update(extra)
    return environ


def _call(adapter: ChaliceWSGIAdapter, environ: dict[str, Any]) -> tuple[str, list[Any], bytes]:
    captured: dict[str, Any] = {}

    def start_response(status: str, headers: list[Any]) -> None:
        captured["status"], captured["headers"] = status, headers

    body = b"".join(adapter(environ, start_response))
    return captured["status"], captured["headers"], body


# What tests/serverful/test_gunicorn.py serves under a real gunicorn.
served = ChaliceWSGIAdapter(app)
