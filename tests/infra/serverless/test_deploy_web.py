"""tools/deploy_web.py: publishing the built web app, against in-process moto."""

from __future__ import annotations

import json
import re
from datetime import UTC, datetime, timedelta
from pathlib import Path

import boto3
import pytest

from tests.infra.serverless.support import REGION, S3CallRecorder
from tools import deploy_web as dw


@pytest.mark.parametrize(
    "key, cache, content_type",
    [
        ("assets/index-BkX9a2_c.js", dw.IMMUTABLE, "text/javascript; charset=utf-8"),
        ("assets/logo-3f2a.svg", dw.IMMUTABLE, "image/svg+xml"),
        ("assets/a.css", dw.IMMUTABLE, "text/css; charset=utf-8"),
        ("index.html", dw.REVALIDATE, "text/html; charset=utf-8"),
        ("config.json", dw.REVALIDATE, "application/json"),
        ("favicon.ico", dw.REVALIDATE, "image/vnd.microsoft.icon"),
        ("robots.txt", dw.REVALIDATE, "text/plain; charset=utf-8"),
        ("f.woff2", dw.REVALIDATE, "font/woff2"),
        ("blob", dw.REVALIDATE, "application/octet-stream"),
    ],
)
def test_object_headers(key: str, cache: str, content_type: str) -> None:
    headers = dw.object_headers(key)
    assert (headers["CacheControl"], headers["ContentType"]) == (cache, content_type)


WEB_OUTPUTS = {
    "region": REGION,
    "api_url": "https://abc.execute-api.eu-west-1.amazonaws.com/api/",
    "web_url": "https://d111.cloudfront.net",
    "user_pool_id": "eu-west-1_abc",
    "user_pool_client_id": "client123",
    "web_bucket": "todo-web",
    "distribution_id": "E123",
}


def _dist(tmp_path: Path) -> Path:
    dist = tmp_path / "dist"
    (dist / "assets").mkdir(parents=True)
    (dist / "index.html").write_text(
        "<!doctype html><script src=/assets/index-abc12345.js></script>"
    )
    (dist / "assets" / "index-abc12345.js").write_text("console.log(1)")
    (dist / "favicon.ico").write_bytes(b"\x00")
    (dist / "config.json").write_text('{"apiUrl": "http://127.0.0.1:8000"}')  # a local one
    return dist


def test_upload_plan_puts_assets_first_index_last_and_replaces_config(tmp_path: Path) -> None:
    plan = dw.plan_uploads(_dist(tmp_path), dw.published_config(WEB_OUTPUTS))
    assert list(plan) == [
        "assets/index-abc12345.js",
        "config.json",
        "favicon.ico",
        "index.html",
    ]
    config = json.loads(plan["config.json"])
    assert config == {
        "apiUrl": WEB_OUTPUTS["web_url"],  # the front door: the API is on the app's origin
        "region": REGION,
        "userPoolId": "eu-west-1_abc",
        "userPoolClientId": "client123",
    }


@pytest.mark.parametrize(
    "html",
    [b"<!doctype html><html><HEAD lang=en><title>t</title></head></html>", b"<!doctype html><p>"],
)
def test_index_html_pins_connect_src_to_its_own_origin_and_cognito(html: bytes) -> None:
    pinned = dw.pin_connect_src(html, dw.published_config(WEB_OUTPUTS)).decode()
    (policy,) = re.findall(r'http-equiv="Content-Security-Policy" content="([^"]+)"', pinned)
    # No API origin: the front door serves the API on the app's own origin.
    assert policy.split() == [
        "connect-src",
        "'self'",
        "https://cognito-idp.eu-west-1.amazonaws.com",
    ]
    # In the head, before anything that could fetch.
    assert (
        pinned.index("Content-Security-Policy") < pinned.find("<title>") or "<title>" not in pinned
    )


def test_stale_objects_are_removed_but_recent_hashed_assets_wait() -> None:
    now = datetime(2026, 6, 1, tzinfo=UTC)
    existing = {
        "index.html": now,
        "old.html": now,
        "assets/index-old11111.js": now - timedelta(days=1),
        "assets/index-older222.js": now - timedelta(days=30),
    }
    assert dw.stale_keys(existing, {"index.html"}, now) == ["assets/index-older222.js", "old.html"]


def _outputs_file(tmp_path: Path, outputs: dict[str, str]) -> Path:
    path = tmp_path / "outputs.json"
    path.write_text(json.dumps(outputs))
    return path


@pytest.mark.parametrize(
    "content, message",
    [
        (None, "deploy the backend first"),
        ("{", "is not JSON"),
        ("[]", "JSON object"),
        (json.dumps({**WEB_OUTPUTS, "web_bucket": ""}), "lacks web_bucket"),
    ],
)
def test_outputs_file_problems_are_clear(tmp_path: Path, content: str | None, message: str) -> None:
    path = tmp_path / "outputs.json"
    if content is not None:
        path.write_text(content)
    with pytest.raises(dw.PublishError, match=message):
        dw.load_outputs(path)


@pytest.fixture
def outputs(aws: None) -> dict[str, str]:
    """The outputs of a deploy: a web bucket holding one stale page, a distribution."""
    s3 = boto3.client("s3", region_name=REGION)
    s3.create_bucket(Bucket="todo-web", CreateBucketConfiguration={"LocationConstraint": REGION})
    s3.put_object(Bucket="todo-web", Key="removed-page.html", Body=b"old")
    cloudfront = boto3.client("cloudfront", region_name="us-east-1")
    created = cloudfront.create_distribution(
        DistributionConfig={
            "CallerReference": "test",
            "Comment": "",
            "Enabled": True,
            "Origins": {
                "Quantity": 1,
                "Items": [
                    {
                        "Id": "web",
                        "DomainName": "todo-web.s3.amazonaws.com",
                        "S3OriginConfig": {"OriginAccessIdentity": ""},
                    }
                ],
            },
            "DefaultCacheBehavior": {
                "TargetOriginId": "web",
                "ViewerProtocolPolicy": "https-only",
                "MinTTL": 0,
                "ForwardedValues": {"QueryString": False, "Cookies": {"Forward": "none"}},
                "TrustedSigners": {"Enabled": False, "Quantity": 0},
            },
        }
    )
    return {**WEB_OUTPUTS, "distribution_id": created["Distribution"]["Id"]}


def test_publish_uploads_with_headers_prunes_and_invalidates(
    outputs: dict[str, str], tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    code = dw.main(
        ["--outputs", str(_outputs_file(tmp_path, outputs)), "--dist", str(_dist(tmp_path))]
    )
    assert code == 0, capsys.readouterr().err
    printed = capsys.readouterr().out
    s3 = boto3.client("s3", region_name=REGION)
    assert "https://d111.cloudfront.net" in printed and "removed 1 stale" in printed
    assert "running make web-build" not in printed  # the dist was there

    keys = sorted(o["Key"] for o in s3.list_objects_v2(Bucket="todo-web")["Contents"])
    assert keys == ["assets/index-abc12345.js", "config.json", "favicon.ico", "index.html"]
    asset = s3.head_object(Bucket="todo-web", Key="assets/index-abc12345.js")
    assert asset["CacheControl"] == dw.IMMUTABLE
    assert asset["ContentType"] == "text/javascript; charset=utf-8"
    pinned = s3.get_object(Bucket="todo-web", Key="index.html")["Body"].read()
    assert b"connect-src 'self' https://cognito-idp.eu-west-1.amazonaws.com\"" in pinned
    index = s3.head_object(Bucket="todo-web", Key="index.html")
    assert (index["CacheControl"], index["ContentType"]) == ("no-cache", "text/html; charset=utf-8")
    config = s3.get_object(Bucket="todo-web", Key="config.json")
    assert config["CacheControl"] == "no-cache"
    assert json.loads(config["Body"].read())["userPoolClientId"] == "client123"

    cloudfront = boto3.client("cloudfront", region_name="us-east-1")
    invalidations = cloudfront.list_invalidations(DistributionId=outputs["distribution_id"])
    assert invalidations["InvalidationList"]["Quantity"] == 1


def test_publish_names_this_account_as_the_owner_of_the_bucket_on_every_s3_call(
    outputs: dict[str, str], tmp_path: Path
) -> None:
    # The bucket's name is in the outputs file; another account could own one of that name.
    sessions = S3CallRecorder()
    dw.publish(sessions(region_name=REGION), outputs, _dist(tmp_path))
    assert {name for name, _ in sessions.calls} >= {"ListObjectsV2", "PutObject", "DeleteObjects"}
    assert sessions.without_expected_owner() == []


def test_a_missing_dist_runs_the_web_build_and_a_failed_build_stops_the_publish(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    commands: list[list[str]] = []
    monkeypatch.setattr(dw.subprocess, "run", lambda command, **_: commands.append(command))
    outputs = _outputs_file(tmp_path, WEB_OUTPUTS)
    assert dw.main(["--outputs", str(outputs), "--dist", str(tmp_path / "never")]) == 1
    assert commands == [["make", "--no-print-directory", "web-build"]]
    assert "has no index.html" in capsys.readouterr().err  # before any call to AWS
