"""ChaliceWSGIAdapter (serverful/chalice_wsgi.py), what only it does: the API Gateway event it
builds from a WSGI request for the app's own routes, and the answers it gives for what
never reaches the app. Everything the app answers through it is the contract suite's
(tests/contract, on the "wsgi" and "gunicorn" runtimes)."""

from __future__ import annotations

import base64
import io
import json
import threading
from typing import Any

import pytest
from chalice import Chalice

import app as app_module
from chalice_wsgi import ChaliceWSGIAdapter, per_thread_requests, response_from_result

TODO_ID = "01ARZ3NDEKTSV4RRFFQ69G5FAV"
CHUNKED = {"HTTP_TRANSFER_ENCODING": "chunked", "wsgi.input_terminated": True}
TOKEN = "eyJhbGciOiJSUzI1NiJ9.eyJzdWIiOiJzZWNyZXQifQ.c2lnbmF0dXJl"


@pytest.fixture(scope="module")
def adapter() -> ChaliceWSGIAdapter:
    return ChaliceWSGIAdapter(app_module.app)


def environ(method: str, path: str, *, body: bytes = b"", **extra: Any) -> dict[str, Any]:
    query = path.split("?", 1)[1] if "?" in path else ""
    return {
        "REQUEST_METHOD": method,
        "PATH_INFO": path.split("?", 1)[0],
        "RAW_URI": path,
        "QUERY_STRING": query,
        "REMOTE_ADDR": "10.0.0.9",
        "wsgi.input": io.BytesIO(body),
        **extra,
    }


def event(adapter: ChaliceWSGIAdapter, method: str, path: str, **extra: Any) -> dict[str, Any]:
    built = adapter.build_event(environ(method, path, **extra), "request-1")
    assert built is not None, path
    return built


def call(adapter: ChaliceWSGIAdapter, env: dict[str, Any]) -> tuple[str, dict[str, str], Any]:
    answer: dict[str, Any] = {}

    def start_response(status: str, headers: list[tuple[str, str]]) -> None:
        answer["status"], answer["headers"] = status, dict(headers)

    body = b"".join(adapter(env, start_response))
    return answer["status"], answer["headers"], json.loads(body)


def test_the_route_and_its_decoded_path_parameter(adapter: ChaliceWSGIAdapter) -> None:
    built = event(adapter, "GET", "/todos/a%2Fb%20c%C3%A9")
    assert (built["resource"], built["requestContext"]["resourcePath"]) == ("/todos/{todo_id}",) * 2
    assert built["pathParameters"] == {"todo_id": "a/b cé"}  # an encoded "/" stays in it
    assert (built["httpMethod"], built["path"]) == ("GET", "/todos/a/b cé")
    assert event(adapter, "GET", f"/todos/{TODO_ID}/")["pathParameters"] == {"todo_id": TODO_ID}
    assert event(adapter, "GET", "/todos/a;b")["pathParameters"] == {"todo_id": "a;b"}
    absolute = event(adapter, "GET", "/x", RAW_URI=f"http://h/todos/{TODO_ID}?x=1")
    assert absolute["pathParameters"] == {"todo_id": TODO_ID}
    assert adapter.build_event(environ("GET", "//todos"), "r") is None


def test_query_strings_as_single_and_multi_value_maps(adapter: ChaliceWSGIAdapter) -> None:
    built = event(adapter, "GET", "/todos?tag=a&tag=b%20c&empty=&one=1")
    assert built["multiValueQueryStringParameters"] == {
        "tag": ["a", "b c"], "empty": [""], "one": ["1"],
    }  # fmt: skip
    assert built["queryStringParameters"] == {"tag": "b c", "empty": "", "one": "1"}
    plain = event(adapter, "GET", "/todos")
    assert plain["queryStringParameters"] is plain["multiValueQueryStringParameters"] is None


def test_headers_lower_cased_and_folded_values_split_but_dates_not(
    adapter: ChaliceWSGIAdapter,
) -> None:
    built = event(
        adapter, "GET", "/todos", HTTP_X_MULTI="a,b", CONTENT_TYPE="", CONTENT_LENGTH="",
        HTTP_IF_MODIFIED_SINCE="Wed, 21 Oct 2015 07:28:00 GMT", HTTP_X_EMPTY="",
    )  # fmt: skip
    assert built["headers"]["x-multi"] == "a,b"
    assert built["multiValueHeaders"]["x-multi"] == ["a", "b"]
    assert built["multiValueHeaders"]["if-modified-since"] == ["Wed, 21 Oct 2015 07:28:00 GMT"]
    assert built["headers"]["x-empty"] == ""  # a header sent empty, kept
    assert "content-type" not in built["headers"] and "content-length" not in built["headers"]


def test_bodies_text_binary_chunked_and_none(adapter: ChaliceWSGIAdapter) -> None:
    text = event(adapter, "POST", "/todos", body="héllo".encode(), CONTENT_LENGTH="6")
    assert (text["body"], text["isBase64Encoded"]) == ("héllo", False)
    raw = b"\xff\xfe not utf-8"
    binary = event(adapter, "POST", "/todos", body=raw, CONTENT_LENGTH=str(len(raw)))
    assert binary["isBase64Encoded"] and base64.b64decode(binary["body"]) == raw
    chunked = event(adapter, "POST", "/todos", body=b"chunked body", **CHUNKED)
    assert chunked["body"] == "chunked body"
    # gunicorn marks every request's input terminated; only a chunked one has a body.
    none = event(adapter, "GET", "/todos", **{"wsgi.input_terminated": True})
    assert (none["body"], none["isBase64Encoded"]) == (None, False)


def test_the_request_context_says_who_sent_it_never_who_they_claim_to_be(
    adapter: ChaliceWSGIAdapter,
) -> None:
    context = event(
        adapter, "GET", "/todos", HTTP_X_FORWARDED_FOR="6.6.6.6",
        HTTP_AUTHORIZATION=f"Bearer {TOKEN}", HTTP_X_AMZN_OIDC_IDENTITY="attacker",
    )["requestContext"]  # fmt: skip
    assert (context["stage"], context["requestId"]) == ("api", "request-1")
    assert context["identity"]["sourceIp"] == "10.0.0.9"  # the peer, not X-Forwarded-For
    assert "authorizer" not in context  # the app verifies the token itself


@pytest.mark.parametrize(
    ("env", "status", "code"),
    [
        (environ("GET", "/nope", HTTP_AUTHORIZATION=f"Bearer {TOKEN}"), "404", "not_found"),
        (environ("POST", "/todos", CONTENT_LENGTH="ten"), "400", "bad_request"),
        (environ("POST", "/todos", CONTENT_LENGTH="11"), "413", "payload_too_large"),
        (environ("POST", "/todos", body=b"x" * 11, **CHUNKED), "413", "payload_too_large"),
    ],
    ids=["unknown-route", "bad-content-length", "over-the-limit", "chunked-over-the-limit"],
)
def test_what_never_reaches_the_app_is_answered_in_its_error_shape(
    env: dict[str, Any], status: str, code: str
) -> None:
    small = ChaliceWSGIAdapter(app_module.app, max_body_bytes=10)
    got_status, headers, body = call(small, env)
    assert got_status.startswith(status) and body["error"]["code"] == code
    assert headers["Content-Type"] == "application/json" and headers["x-amzn-RequestId"]
    assert TOKEN not in json.dumps(body) + json.dumps(headers)  # never the token echoed


def test_a_result_becomes_status_headers_and_body() -> None:
    status, headers, body = response_from_result({
        "statusCode": 201,
        "headers": {"Set-Cookie": "lost", "X-Single": "one"},
        "multiValueHeaders": {"Set-Cookie": ["a=1", "b=2"]},  # wins, as on API Gateway
        "body": base64.b64encode(b"\x00\xff").decode(),
        "isBase64Encoded": True,
    })  # fmt: skip
    assert (status, body) == (201, b"\x00\xff")
    assert headers == [("X-Single", "one"), ("Set-Cookie", "a=1"), ("Set-Cookie", "b=2")]
    with pytest.raises(ValueError, match="line break"):
        response_from_result({"headers": {"X-Split": "a\r\nSet-Cookie: evil"}, "body": ""})


def test_threads_in_the_app_at_once_each_see_their_own_request() -> None:
    # Chalice keeps the current request on the app; the adapter makes it per thread.
    app = per_thread_requests(Chalice(app_name="threads"))
    both_in = threading.Barrier(2, timeout=5)
    seen: dict[str, Any] = {}

    def handle(name: str) -> None:
        app.current_request = name  # type: ignore[assignment]
        both_in.wait()  # both requests are current at once
        seen[name] = app.current_request

    threads = [threading.Thread(target=handle, args=(name,)) for name in ("a", "b")]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert seen == {"a": "a", "b": "b"}
