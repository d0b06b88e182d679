# Request limits a single user cannot exhaust for everyone: a CloudFront-scope web ACL
# on the front door (the foundation's distribution), so one ACL covers both
# architectures (docs/foundation.md). Its provider must be in us-east-1.
#
# - per token: requests are counted per Authorization header value, i.e. per signed-in
#   session (the gateway's authorizer refuses forged tokens behind it).
# - per client IP: CloudFront sees the client's own address.
# Over a limit, WAF answers 429 in the API's error shape with Retry-After.

locals {
  rate_rules = {
    "per-token" = { priority = 10, limit = var.token_rate_limit }
    "per-ip"    = { priority = 20, limit = var.ip_rate_limit }
  }
}

resource "aws_wafv2_web_acl" "this" {
  name        = "${var.name}-front-door"
  description = "Rate limits per token and per client IP, and known bad inputs"
  scope       = "CLOUDFRONT"

  default_action {
    allow {}
  }

  custom_response_body {
    key          = "rate-limited"
    content_type = "APPLICATION_JSON"
    # The API's own error shape (api/chalicelib/http.py), as the app's 429s are.
    content = jsonencode({ error = { code = "rate_limited", message = "too many requests: retry later" } })
  }

  dynamic "rule" {
    for_each = local.rate_rules
    content {
      name     = rule.key
      priority = rule.value.priority

      action {
        block {
          custom_response {
            response_code            = 429
            custom_response_body_key = "rate-limited"
            response_header {
              name  = "Retry-After"
              value = tostring(var.evaluation_window_seconds)
            }
          }
        }
      }

      statement {
        rate_based_statement {
          limit                 = rule.value.limit
          evaluation_window_sec = var.evaluation_window_seconds
          aggregate_key_type    = rule.key == "per-token" ? "CUSTOM_KEYS" : "IP"

          dynamic "custom_key" {
            for_each = rule.key == "per-token" ? [1] : []
            content {
              header {
                name = "authorization"
                text_transformation {
                  priority = 0
                  type     = "NONE"
                }
              }
            }
          }

        }
      }

      visibility_config {
        cloudwatch_metrics_enabled = true
        metric_name                = "${var.name}-${rule.key}"
        sampled_requests_enabled   = true
      }
    }
  }

  # AWS's free baseline group: known-bad request patterns (Log4Shell and the like).
  rule {
    name     = "known-bad-inputs"
    priority = 30

    override_action {
      none {}
    }

    statement {
      managed_rule_group_statement {
        vendor_name = "AWS"
        name        = "AWSManagedRulesKnownBadInputsRuleSet"
      }
    }

    visibility_config {
      cloudwatch_metrics_enabled = true
      metric_name                = "${var.name}-known-bad-inputs"
      sampled_requests_enabled   = true
    }
  }

  visibility_config {
    cloudwatch_metrics_enabled = true
    metric_name                = "${var.name}-front-door"
    sampled_requests_enabled   = true
  }
}

# WAF's log group name must start with aws-waf-logs-. Tokens never reach the logs.
resource "aws_cloudwatch_log_group" "waf" {
  name              = "aws-waf-logs-${var.name}"
  retention_in_days = var.log_retention_days
}

resource "aws_wafv2_web_acl_logging_configuration" "this" {
  resource_arn            = aws_wafv2_web_acl.this.arn
  log_destination_configs = [aws_cloudwatch_log_group.waf.arn]

  redacted_fields {
    single_header {
      name = "authorization"
    }
  }
}
