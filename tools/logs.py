"""`make logs`: tail the deployed stack's app log (one JSON line per request, see
docs/operations.md) with FilterLogEvents. The stack is the deploy targets' (STAGE,
STACK_NAME, AWS_REGION, read by deploy_serverful.StackSettings); its name and the
architecture give the log group.
"""

from __future__ import annotations

import argparse
import datetime as dt
import re
import sys
import time
from collections.abc import Callable, Iterator
from typing import Any

import boto3

from tools.deploy_serverful import StackSettings

# Where each deployment's app writes (infra/serverless/merge.yaml's APIHandlerLogGroup,
# infra/modules/monitoring's aws_cloudwatch_log_group.app).
LOG_GROUPS = {"serverless": "/aws/lambda/{stack}-api", "serverful": "/todo/{stack}/app"}
POLL_SECONDS = 2.0
UNITS = {"s": "seconds", "m": "minutes", "h": "hours", "d": "days"}


def parse_since(text: str) -> dt.timedelta:
    match = re.fullmatch(r"(\d+)([smhd])", text.strip())
    if not match:
        raise SystemExit(f"SINCE must look like 30s, 10m, 2h or 1d: {text!r}")
    return dt.timedelta(**{UNITS[match[2]]: int(match[1])})


def events(
    logs: Any, query: dict[str, Any], follow: bool, sleep: Callable[[float], None] = time.sleep
) -> Iterator[dict[str, Any]]:
    """The events a FilterLogEvents query finds, oldest first; with follow, forever."""
    paginator = logs.get_paginator("filter_log_events")
    query = dict(query)
    seen: set[str] = set()
    while True:
        newest = query["startTime"]
        for page in paginator.paginate(**query):
            for event in page.get("events", []):
                if event["eventId"] not in seen:
                    seen.add(event["eventId"])
                    newest = max(newest, event["timestamp"])
                    yield event
        if not follow:
            return
        # Ask again from the newest event seen (its ids are remembered, so no repeats).
        query["startTime"] = newest
        sleep(POLL_SECONDS)


def format_event(event: dict[str, Any]) -> str:
    when = dt.datetime.fromtimestamp(event["timestamp"] / 1000, dt.UTC).strftime("%H:%M:%S")
    return f"{when} {event.get('logStreamName', '')} {event['message'].rstrip()}"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--architecture", default="serverless", choices=sorted(LOG_GROUPS))
    parser.add_argument("--since", default="10m", help="how far back to start (10m)")
    parser.add_argument("--filter", help="CloudWatch Logs filter pattern")
    parser.add_argument("--no-follow", action="store_true", help="print what is there and stop")
    args = parser.parse_args(argv)

    settings = StackSettings.from_environment()
    group = LOG_GROUPS[args.architecture].format(stack=settings.stack_name)
    start = dt.datetime.now(dt.UTC) - parse_since(args.since)
    logs = boto3.client("logs", region_name=settings.region)
    print(f"==> {group} ({settings.region}) since {start:%H:%M:%S} UTC", file=sys.stderr)
    query = {"logGroupName": group, "startTime": int(start.timestamp() * 1000)}
    if args.filter:
        query["filterPattern"] = args.filter
    try:
        for event in events(logs, query, follow=not args.no_follow):
            print(format_event(event), flush=True)
    except logs.exceptions.ResourceNotFoundException:
        print(f"no log group {group}: is the stack deployed in {settings.region}?", file=sys.stderr)
        return 1
    except KeyboardInterrupt:
        pass
    return 0


if __name__ == "__main__":
    sys.exit(main())
