"""Publish the built web app (web/dist, built first if missing) to a stack's
bucket behind CloudFront (the foundation's front door), for either architecture: with a
runtime config.json whose API is the front door's own origin, a CSP connect-src of
'self' and Cognito, Content-Type
and Cache-Control on every file, stale files removed, then a CloudFront invalidation.
"""

from __future__ import annotations

import argparse
import json
import mimetypes
import re
import subprocess
import sys
from collections.abc import Sequence
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import boto3

ROOT = Path(__file__).resolve().parent.parent
DEFAULT_DIST = ROOT / "web" / "dist"
REQUIRED_OUTPUTS = (
    "region",
    "api_url",
    "web_url",
    "user_pool_id",
    "user_pool_client_id",
    "web_bucket",
    "distribution_id",
)
RUNTIME_CONFIG = "config.json"

# Vite names everything under assets/ after its content hash, so a changed file
# gets a new name: cache those for a year. index.html, config.json and the rest
# keep their names across deploys: browsers and CloudFront must revalidate them.
HASHED_PREFIX = "assets/"
IMMUTABLE = "public, max-age=31536000, immutable"
REVALIDATE = "no-cache"
# Old hashed assets stay this long after a deploy, for tabs still running the
# previous build (the bucket is versioned, so nothing is lost before that either).
STALE_ASSET_GRACE = timedelta(days=7)

# What the system's MIME table (mimetypes reads it) may lack or name the old way.
CONTENT_TYPES = {
    ".js": "text/javascript",
    ".mjs": "text/javascript",
    ".map": "application/json",
    ".webmanifest": "application/manifest+json",
    ".woff2": "font/woff2",
}


class PublishError(RuntimeError):
    """The web app cannot be published; the message says why."""


def load_outputs(path: Path, required: Sequence[str] = REQUIRED_OUTPUTS) -> dict[str, str]:
    """A backend deploy's outputs file, with every `required` output."""
    try:
        outputs = json.loads(path.read_text())
    except FileNotFoundError:
        raise PublishError(
            f"{path} does not exist: deploy the backend first "
            "(make deploy-serverless-backend or make deploy-serverful-backend)"
        ) from None
    except json.JSONDecodeError as error:
        raise PublishError(f"{path} is not JSON: {error}") from None
    if not isinstance(outputs, dict):
        raise PublishError(f"{path} must hold a JSON object")
    missing = [key for key in required if not outputs.get(key)]
    if missing:
        raise PublishError(f"{path} lacks {', '.join(missing)}")
    return {key: str(value) for key, value in outputs.items()}


def runtime_config(outputs: dict[str, str]) -> dict[str, str]:
    """What the web app reads at start-up (`make dev` writes it too, with moto as Cognito)."""
    return {
        "apiUrl": outputs["api_url"].rstrip("/"),
        "region": outputs["region"],
        "userPoolId": outputs["user_pool_id"],
        "userPoolClientId": outputs["user_pool_client_id"],
    }


def published_config(outputs: dict[str, str]) -> dict[str, str]:
    """The deployed web app's config.json: the API is on its own origin, the front door,
    which routes the API's paths to whichever architecture is active (docs/foundation.md),
    so a switch changes no URL."""
    return runtime_config({**outputs, "api_url": outputs["web_url"]})


def pin_connect_src(html: bytes, config: dict[str, str]) -> bytes:
    """index.html with a CSP <meta> that lets the app fetch only from itself (the API is
    on its own origin) and Cognito in its region, as the front door's headers policy
    says; a copy in the page keeps that promise wherever the file is served from."""
    cognito = f"https://cognito-idp.{config['region']}.amazonaws.com"
    policy = f"connect-src 'self' {cognito}"
    meta = f'<meta http-equiv="Content-Security-Policy" content="{policy}" />'.encode()
    head = re.search(rb"<head[^>]*>", html, re.IGNORECASE)
    doctype = re.match(rb"\s*<!doctype[^>]*>", html, re.IGNORECASE)
    at = head.end() if head else (doctype.end() if doctype else 0)
    return html[:at] + meta + html[at:]


def object_headers(key: str) -> dict[str, str]:
    """put_object's ContentType and CacheControl for the file at `key`."""
    known = CONTENT_TYPES.get(Path(key).suffix.lower()) or mimetypes.guess_type(key)[0]
    content_type = known or "application/octet-stream"
    if content_type.startswith("text/"):
        content_type += "; charset=utf-8"
    cache_control = IMMUTABLE if key.startswith(HASHED_PREFIX) else REVALIDATE
    return {"ContentType": content_type, "CacheControl": cache_control}


def plan_uploads(dist: Path, config: dict[str, str]) -> dict[str, bytes]:
    """Key -> body of every file, in upload order: assets first and index.html last,
    so a browser that loads the new index.html then finds every asset it names."""
    if not (dist / "index.html").is_file():
        raise PublishError(f"{dist} has no index.html: build the web app (make web-build)")
    # The build's config.json is replaced by the one for this stack.
    bodies = {
        p.relative_to(dist).as_posix(): p.read_bytes() for p in dist.rglob("*") if p.is_file()
    }
    bodies[RUNTIME_CONFIG] = (json.dumps(config, indent=2) + "\n").encode()
    bodies["index.html"] = pin_connect_src(bodies["index.html"], config)
    order = sorted(bodies, key=lambda k: (k == "index.html", not k.startswith(HASHED_PREFIX), k))
    return {key: bodies[key] for key in order}


def stale_keys(existing: dict[str, datetime], uploaded: set[str], now: datetime) -> list[str]:
    """Objects the new build no longer has; recent hashed assets wait out the grace period."""
    return sorted(
        key
        for key, modified in existing.items()
        if key not in uploaded
        and not (key.startswith(HASHED_PREFIX) and now - modified < STALE_ASSET_GRACE)
    )


def publish(session: Any, outputs: dict[str, str], dist: Path) -> None:
    uploads = plan_uploads(dist, published_config(outputs))
    s3 = session.client("s3")
    bucket = outputs["web_bucket"]
    # The stack's bucket, but named in a file: every call says whose it must be.
    owner = {"ExpectedBucketOwner": session.client("sts").get_caller_identity()["Account"]}
    pages = s3.get_paginator("list_objects_v2").paginate(Bucket=bucket, **owner)
    existing = {
        obj["Key"]: obj["LastModified"] for page in pages for obj in page.get("Contents", [])
    }
    for key, body in uploads.items():
        s3.put_object(Bucket=bucket, Key=key, Body=body, **object_headers(key), **owner)
    now = datetime.now(UTC)
    removed = stale_keys(existing, set(uploads), now)
    for start in range(0, len(removed), 1000):
        batch = [{"Key": key} for key in removed[start : start + 1000]]
        s3.delete_objects(Bucket=bucket, Delete={"Objects": batch, "Quiet": True}, **owner)
    invalidation = session.client("cloudfront").create_invalidation(
        DistributionId=outputs["distribution_id"],
        InvalidationBatch={
            "Paths": {"Quantity": 1, "Items": ["/*"]},
            "CallerReference": f"deploy-web-{now:%Y%m%dT%H%M%S%f}",
        },
    )
    size = f"{sum(map(len, uploads.values())):,} bytes"
    print(f"s3://{bucket}: uploaded {len(uploads)} files ({size}), removed {len(removed)} stale")
    distribution = outputs["distribution_id"]
    print(f"invalidated CloudFront {distribution} ({invalidation['Invalidation']['Id']})")


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--outputs", type=Path, required=True, help="the backend deploy's outputs")
    parser.add_argument("--dist", type=Path, default=DEFAULT_DIST, help="the built web app")
    args = parser.parse_args(argv)
    try:
        outputs = load_outputs(args.outputs)
        if not (args.dist / "index.html").is_file():
            print(f"{args.dist} is missing: running make web-build")
            # If it fails, plan_uploads says the dist still has no index.html.
            subprocess.run(["make", "--no-print-directory", "web-build"], cwd=ROOT, check=False)
        publish(boto3.Session(region_name=outputs["region"]), outputs, args.dist)
    except PublishError as error:
        print(f"error: {error}", file=sys.stderr)
        return 1
    print(f"web app: {outputs['web_url']}")
    print(f"API:     {outputs['api_url']}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
