"""Rules the deploy paths, the local stack and the web app share, defined once
for Python. The other languages keep their own copy, and tests/unit/test_shared_rules.py
checks that each agrees with this one:

- the stack name: infra/*/variables.tf (`var.name`), and infra/ci/pipeline.yaml,
  whose `<ProjectName>-<Stage>` always fits it;
- the password policy: infra/serverless/merge.yaml, infra/modules/auth and the web
  app's checklist (web/src/auth/passwordRules.ts).
"""

from __future__ import annotations

# A stack name prefixes every resource name of the app, so the tightest AWS
# limit decides: "<stack>-artifacts-" as an S3 bucket prefix (at most 37
# characters in Terraform, so 26 for the name), "<stack>-alb" as a load
# balancer name (32). 2-21 characters leave room for new resources.
STACK_NAME_PATTERN = r"[a-z][a-z0-9-]{1,20}"

# Cognito's password policy, as its API spells it (CreateUserPool Policies).
PASSWORD_POLICY = {
    "MinimumLength": 12,
    "RequireUppercase": True,
    "RequireLowercase": True,
    "RequireNumbers": True,
    "RequireSymbols": True,
}
