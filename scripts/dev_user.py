"""`make user`: a confirmed user in the local pool, and an ID token for curl."""

from __future__ import annotations

import argparse
import os
import sys
from pathlib import Path

from botocore.exceptions import EndpointConnectionError

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from scripts.local_stack import Stack, aws_client, create_user  # noqa: E402


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--email", required=True)
    parser.add_argument("--password", required=True)
    args = parser.parse_args()
    stack = Stack.from_file(Path(os.environ.get("DEV_STATE_DIR", ROOT / ".dev")) / "stack.json")
    cognito = aws_client("cognito-idp", stack.endpoint, stack.region)
    try:
        print(create_user(cognito, stack, args.email, args.password)["id_token"])
    except EndpointConnectionError:
        sys.exit(f"cannot reach the local AWS at {stack.endpoint}: is `make dev` running?")
    except cognito.exceptions.InvalidPasswordException as exc:
        print(f"password rejected: {exc.response['Error']['Message']}", file=sys.stderr)
        return 2
    except cognito.exceptions.NotAuthorizedException:
        print("that user exists with another password", file=sys.stderr)
        return 2
    return 0


if __name__ == "__main__":
    sys.exit(main())
