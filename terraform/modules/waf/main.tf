# Request limits a single user cannot exhaust for everyone: a regional web ACL on the
# internal ALB, the serverful API's only way in (API Gateway -> VPC Link -> ALB).
#
# - per token: requests are counted per Authorization header value, i.e. per signed-in
#   session (API Gateway's JWT authorizer has already refused forged tokens).
# - per client IP: behind API Gateway the ALB's peer is the VPC Link, so the client's
#   address is read from X-Forwarded-For (WAF takes its first entry, which a client can
#   set itself: this limit stops careless floods, the per-token limit and the stage
#   throttling bound the rest; docs/serverful.md, "Request limits").
# Over a limit, WAF answers 429 with Retry-After for the rest of the window.

locals {
  rate_rules = {
    "per-token" = { priority = 10, limit = var.token_rate_limit }
    "per-ip"    = { priority = 20, limit = var.ip_rate_limit }
  }
}

resource "aws_wafv2_web_acl" "this" {
  name        = "${var.name}-api"
  description = "Rate limits per token and per client IP, and known bad inputs"
  scope       = "REGIONAL"

  default_action {
    allow {}
  }

  custom_response_body {
    key          = "rate-limited"
    content_type = "APPLICATION_JSON"
    content      = jsonencode({ error = "TooManyRequests", message = "Too many requests: retry after the Retry-After seconds." })
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
          aggregate_key_type    = rule.key == "per-token" ? "CUSTOM_KEYS" : "FORWARDED_IP"

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

          dynamic "forwarded_ip_config" {
            for_each = rule.key == "per-ip" ? [1] : []
            content {
              header_name       = "X-Forwarded-For"
              fallback_behavior = "MATCH"
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
    metric_name                = "${var.name}-api"
    sampled_requests_enabled   = true
  }
}

resource "aws_wafv2_web_acl_association" "this" {
  resource_arn = var.resource_arn
  web_acl_arn  = aws_wafv2_web_acl.this.arn
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
