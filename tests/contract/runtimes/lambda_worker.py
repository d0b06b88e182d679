"""One Lambda execution environment: runs the unzipped deployment package.

Started by tests/contract/runtimes/lambda_package.py with the clean Lambda-like Python
(build/lambda-runtime: the standard library, boto3/botocore and nothing else),
as `python -I lambda_worker.py TASK_ROOT MODULE.HANDLER [LAYER_DIR]` (LAYER_DIR: what
Lambda mounts at /opt/python). It imports the handler
once (the cold start), then answers invocations one at a time, as Lambda does:
one JSON line in on stdin ({"event", "request_id", "timeout_ms"}), one JSON line
out (the handler's result, or Lambda's {"errorMessage", "errorType"}).

Only the standard library here: this file runs where the project's venv is not.
"""

from __future__ import annotations

import importlib
import json
import os
import sys
import time
import traceback
from typing import Any


class LambdaContext:
    """The attributes of the context object Lambda passes to a handler."""

    def __init__(self, request_id: str, timeout_ms: int) -> None:
        self.aws_request_id = request_id
        self.function_name = os.environ["AWS_LAMBDA_FUNCTION_NAME"]
        self.function_version = "$LATEST"
        self.memory_limit_in_mb = os.environ.get("AWS_LAMBDA_FUNCTION_MEMORY_SIZE", "128")
        self.invoked_function_arn = (
            f"arn:aws:lambda:local:000000000000:function:{self.function_name}"
        )
        self.log_group_name = f"/aws/lambda/{self.function_name}"
        self.log_stream_name = "local"
        self._deadline = time.monotonic() + timeout_ms / 1000

    def get_remaining_time_in_millis(self) -> int:
        return max(0, int((self._deadline - time.monotonic()) * 1000))


def main(task_root: str, handler_name: str, layer_dir: str | None = None) -> None:
    # The protocol owns the real stdout; what the function prints goes to stderr
    # (on Lambda both would end up in its log stream).
    protocol = os.fdopen(os.dup(1), "w", buffering=1)
    os.dup2(2, 1)
    sys.path[:0] = [task_root, *([layer_dir] if layer_dir else [])]
    module_name, _, attribute = handler_name.rpartition(".")
    handler = getattr(importlib.import_module(module_name), attribute)
    protocol.write(json.dumps({"ready": True, "python": list(sys.version_info[:2])}) + "\n")
    for line in sys.stdin:
        invocation = json.loads(line)
        context = LambdaContext(invocation["request_id"], invocation["timeout_ms"])
        result: Any
        try:
            result = handler(invocation["event"], context)
        except Exception as error:
            traceback.print_exc()
            result = {"errorMessage": str(error), "errorType": type(error).__name__}
        protocol.write(json.dumps({"result": result}) + "\n")


if __name__ == "__main__":
    main(*sys.argv[1:4])
