# Plan-mode tests of the waf module's promises (mocked AWS provider: infra/tests/mocks).

mock_provider "aws" {
  override_during = plan
  source          = "../../tests/mocks"
}

variables {
  name = "todo-test"
}

run "waf_limits_each_token_and_each_client_ip_at_the_front_door" {
  command = plan

  assert {
    condition     = aws_wafv2_web_acl.this.scope == "CLOUDFRONT"
    error_message = "The web ACL must be for CloudFront: it sits on the front door of both architectures."
  }

  assert {
    condition = (
      one([for r in aws_wafv2_web_acl.this.rule : one(r.statement[0].rate_based_statement) if r.name == "per-token"]).aggregate_key_type == "CUSTOM_KEYS" &&
      [for key in one([for r in aws_wafv2_web_acl.this.rule : one(r.statement[0].rate_based_statement) if r.name == "per-token"]).custom_key : one(key.header).name] == ["authorization"] &&
      one([for r in aws_wafv2_web_acl.this.rule : one(r.statement[0].rate_based_statement) if r.name == "per-token"]).limit == 1000
    )
    error_message = "One rate-based rule must count requests per Authorization header value."
  }

  assert {
    condition = (
      one([for r in aws_wafv2_web_acl.this.rule : one(r.statement[0].rate_based_statement) if r.name == "per-ip"]).aggregate_key_type == "IP"
    )
    error_message = "One rate-based rule must count requests per client IP (CloudFront sees the client's address)."
  }

  assert {
    condition = (
      jsondecode(one(aws_wafv2_web_acl.this.custom_response_body).content).error.code == "rate_limited" &&
      alltrue([
        for rule in aws_wafv2_web_acl.this.rule :
        [for h in one(one(one(rule.action).block).custom_response).response_header : "${h.name}: ${h.value}"] == ["Retry-After: 300"]
        if length(rule.action) > 0
      ])
    )
    error_message = "A 429 must carry the API's error shape ({error: {code, message}}) and one Retry-After."
  }

  assert {
    condition     = contains([for r in aws_wafv2_web_acl.this.rule : r.name], "known-bad-inputs")
    error_message = "AWS's known-bad-inputs rule group must be on."
  }

  assert {
    condition = alltrue([
      for rule in aws_wafv2_web_acl.this.rule :
      one(one(one(rule.action).block).custom_response).response_code == 429
      if length(rule.action) > 0
    ])
    error_message = "A rate-limited request must be answered 429 (with Retry-After), not WAF's default 403."
  }

  assert {
    condition     = [for f in aws_wafv2_web_acl_logging_configuration.this.redacted_fields : one(f.single_header).name] == ["authorization"]
    error_message = "WAF logs must never hold a token: the Authorization header is redacted."
  }
}

run "waf_rejects_a_limit_waf_would_refuse" {
  command = plan

  variables {
    token_rate_limit          = 5
    evaluation_window_seconds = 30
  }

  expect_failures = [var.token_rate_limit, var.evaluation_window_seconds]
}

# The module's README example (examples/minimal) plans as written.
run "example_minimal_plans" {
  command = plan

  module {
    source = "./examples/minimal"
  }
}
