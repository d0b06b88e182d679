"""`make bench`: DynamoDB requests per API operation, the app's import time and
the Lambda package's size.

Drives the real app (chalice.test.Client) over in-process moto with real
Cognito tokens, counting DynamoDB calls with a botocore event hook.
Targets: 1 request per single-todo operation and per list page (2 for an
idempotent replay, which reads the todo's current state), 0 Scans;
`import app` under 150 ms (Powertools included); deployment.zip under 1 MB
(Powertools comes from the AWS-managed layer, not the zip).
"""

from __future__ import annotations

import io
import statistics
import subprocess
import sys
from collections import Counter
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent

IMPORT_RUNS = 7
IMPORT_TARGET_MS = 150.0
WHEELHOUSE = ROOT / "build" / "wheelhouse"


def package_bytes() -> int:
    """Size of the Lambda deployment.zip, packaged as `make package-serverless` does
    (offline from the wheelhouse when `make serverless-wheelhouse` has filled it)."""
    import os
    import tempfile

    from tools.deploy_serverless import package

    if any(WHEELHOUSE.glob("*.whl")):
        os.environ.update(PIP_NO_INDEX="1", PIP_FIND_LINKS=str(WHEELHOUSE))
    with tempfile.TemporaryDirectory(prefix="bench-package-") as out:
        zip_path = package(ROOT, Path(out)) / "deployment.zip"
        return zip_path.stat().st_size


def import_time_ms(app_dir: Path = ROOT) -> tuple[float, float]:
    """Median and best wall time of `import app` (from `app_dir`) in a fresh interpreter
    (bytecode cached)."""
    code = (
        "import time; t = time.perf_counter(); import app; print((time.perf_counter() - t) * 1000)"
    )
    samples = []
    for _ in range(IMPORT_RUNS):
        out = subprocess.run(
            [sys.executable, "-c", code], cwd=app_dir, capture_output=True, text=True, check=True
        )
        samples.append(float(out.stdout.strip()))
    return statistics.median(samples), min(samples)


def count_requests() -> list[tuple[str, Counter[str]]]:
    from chalice.test import Client

    import app as app_module
    from chalicelib.dynamo import dynamodb_client
    from tests.contract.runtimes.inprocess import in_process_aws

    rows: list[tuple[str, Counter[str]]] = []
    calls: Counter[str] = Counter()

    def hook(model: Any, **_: Any) -> None:
        calls[model.name] += 1

    # The request log lines are not what this benchmark measures.
    app_module.observability.set_stream(io.StringIO())
    with in_process_aws() as aws, Client(app_module.app) as client:
        user = aws.new_user()
        headers = {**user.auth_headers, "Content-Type": "application/json"}
        for i in range(30):
            client.http.post("/todos", headers=headers, body=f'{{"title": "t{i}"}}'.encode())
        dynamodb_client().meta.events.register("before-call.dynamodb", hook)

        def measure(name: str, method: str, path: str, body: bytes = b"", **extra: str) -> Any:
            calls.clear()
            response = client.http.request(method, path, headers={**headers, **extra}, body=body)
            assert response.status_code < 400, (name, response.status_code, response.body)
            rows.append((name, Counter(calls)))
            return response

        created = measure("POST /todos", "POST", "/todos", b'{"title": "bench"}')
        todo_id = created.json_body["id"]
        measure("POST /todos (Idempotency-Key)", "POST", "/todos", b'{"title": "x"}',
                **{"Idempotency-Key": "bench-1"})  # fmt: skip
        measure("POST /todos (idempotent replay)", "POST", "/todos", b'{"title": "x"}',
                **{"Idempotency-Key": "bench-1"})  # fmt: skip
        measure("GET /todos/{id}", "GET", f"/todos/{todo_id}")
        measure("PATCH /todos/{id}", "PATCH", f"/todos/{todo_id}", b'{"completed": true}')
        measure("PATCH /todos/{id} (If-Match)", "PATCH", f"/todos/{todo_id}", b'{"order": 3}',
                **{"If-Match": '"2"'})  # fmt: skip
        measure("DELETE /todos/{id}", "DELETE", f"/todos/{todo_id}")
        measure("POST /todos/{id}/restore", "POST", f"/todos/{todo_id}/restore")
        client.http.request("DELETE", f"/todos/{todo_id}", headers=headers)  # 31 again
        measure("GET /todos (page of 10)", "GET", "/todos?limit=10")
        measure("GET /todos?completed=false (page)", "GET", "/todos?completed=false&limit=10")
        measure("GET /todos (all 31, one page)", "GET", "/todos")
        measure("PATCH /todos (mark 31 done)", "PATCH", "/todos", b'{"completed": true}')
        measure("DELETE /todos (31 todos)", "DELETE", "/todos")
    return rows


def main() -> int:
    rows = count_requests()
    print(f"{'operation':40} {'DynamoDB requests':>18}  breakdown")
    single_ok = True
    for name, calls in rows:
        total = sum(calls.values())
        breakdown = ", ".join(f"{op}={n}" for op, n in sorted(calls.items()))
        print(f"{name:40} {total:>18}  {breakdown}")
        if "Scan" in calls:
            single_ok = False
        if "replay" in name:
            # A retry's answer: the cancelled claim, then the todo as it is now.
            single_ok = single_ok and total <= 2
        elif "{id}" in name or name.startswith(("POST", "GET /todos (page", "GET /todos?")):
            single_ok = single_ok and total == 1
    scans = sum(calls.get("Scan", 0) for _, calls in rows)
    import_ms, import_best_ms = import_time_ms()
    print(f"\nScan requests: {scans}")
    print(
        f"import app: median {import_ms:.1f} ms, best {import_best_ms:.1f} ms"
        f" over {IMPORT_RUNS} runs (target < {IMPORT_TARGET_MS:.0f} ms)"
    )
    from tools.deploy_serverless import MAX_PACKAGE_BYTES

    zip_bytes = package_bytes()
    print(
        f"Lambda deployment.zip: {zip_bytes:,} bytes"
        f" (target < {MAX_PACKAGE_BYTES:,}; Powertools from the AWS-managed layer)"
    )
    ok = single_ok and scans == 0 and import_ms < IMPORT_TARGET_MS
    ok = ok and zip_bytes < MAX_PACKAGE_BYTES
    print("targets met" if ok else "TARGETS MISSED")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
