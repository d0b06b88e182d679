# Plan-mode tests of the waf module's promises (mocked AWS provider: terraform/tests/mocks).

mock_provider "aws" {
  override_during = plan
  source          = "../../tests/mocks"
}

variables {
  name         = "todo-test"
  resource_arn = "arn:aws:elasticloadbalancing:us-east-1:123456789012:loadbalancer/app/todo-test-alb/0123456789abcdef"
}

run "waf_limits_each_token_and_each_client_ip_on_the_alb" {
  command = plan

  assert {
    condition     = aws_wafv2_web_acl.this.scope == "REGIONAL" && aws_wafv2_web_acl_association.this.resource_arn == var.resource_arn
    error_message = "A regional web ACL must be associated with the given load balancer."
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
      one([for r in aws_wafv2_web_acl.this.rule : one(r.statement[0].rate_based_statement) if r.name == "per-ip"]).aggregate_key_type == "FORWARDED_IP" &&
      one(one([for r in aws_wafv2_web_acl.this.rule : one(r.statement[0].rate_based_statement) if r.name == "per-ip"]).forwarded_ip_config).header_name == "X-Forwarded-For"
    )
    error_message = "One rate-based rule must count requests per client IP, read from X-Forwarded-For (the ALB's peer is the VPC Link)."
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
