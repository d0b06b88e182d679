"""This project's own checkov checks (CKV_TODO_*), loaded with --external-checks-dir by
infra/ci/lint.py (make ci-lint), make serverless-check and infra/.checkov.yaml (make tf-checkov)."""
