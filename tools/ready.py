"""`make ready`: wait until a deployed API's `GET <api_url>/ready` answers 200.
The deploy targets run it last, so a deploy finishes only when the new stack
reaches DynamoDB (and, on EC2, Cognito's JWKS) through its public URL. Anything
else is retried until the timeout, after the wait a 503's Retry-After names.
"""

from __future__ import annotations

import argparse
import sys
import time
import urllib.error
import urllib.request
from collections.abc import Callable
from email.message import Message
from pathlib import Path

from tools.deploy_web import PublishError, load_outputs

DEFAULT_TIMEOUT_SECONDS = 300.0
REQUEST_TIMEOUT_SECONDS = 10
MAX_WAIT_SECONDS = 15.0


def wait_until_ready(
    api_url: str,
    timeout: float = DEFAULT_TIMEOUT_SECONDS,
    *,
    sleep: Callable[[float], None] = time.sleep,
    clock: Callable[[], float] = time.monotonic,
    say: Callable[[str], None] = print,
) -> bool:
    url = api_url.rstrip("/") + "/ready"
    request = urllib.request.Request(url, headers={"Accept": "application/json"})
    deadline = clock() + timeout
    while True:
        try:
            with urllib.request.urlopen(request, timeout=REQUEST_TIMEOUT_SECONDS) as response:
                status, headers, body = response.status, response.headers, response.read()
        except urllib.error.HTTPError as error:  # an answer, but not a 2xx
            status, headers, body = error.code, error.headers, error.read()
        except OSError as error:
            status, headers, body = 0, Message(), str(error).encode()
        if status == 200:
            say(f"ready: {url}")
            return True
        retry_after = headers.get("Retry-After", "")
        wait = min(
            float(retry_after) if retry_after.isdigit() else MAX_WAIT_SECONDS, MAX_WAIT_SECONDS
        )
        say(f"not ready yet ({status or 'no answer'}): {body[:200].decode(errors='replace')}")
        if clock() + wait > deadline:
            say(f"{url} was not ready within {timeout:.0f} s")
            return False
        sleep(wait)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--outputs", type=Path, required=True, help="a deploy's outputs file")
    parser.add_argument("--timeout", type=float, default=DEFAULT_TIMEOUT_SECONDS)
    args = parser.parse_args(argv)
    try:
        api_url = load_outputs(args.outputs, required=["api_url"])["api_url"]
    except PublishError as error:
        sys.exit(f"error: {error}")
    return 0 if wait_until_ready(api_url, args.timeout) else 1


if __name__ == "__main__":
    sys.exit(main())
