"""This project's own checkov checks, loaded by ci/lint.py (--external-checks-dir)."""
