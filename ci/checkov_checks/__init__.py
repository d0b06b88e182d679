"""This project's own checkov checks (CKV_TODO_*), loaded with --external-checks-dir by
ci/lint.py (make ci-lint), make serverless-check and terraform/.checkov.yaml (make tf-checkov)."""
