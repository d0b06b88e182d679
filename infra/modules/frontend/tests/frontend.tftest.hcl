# Plan-mode tests of the frontend module's promises (mocked AWS provider: infra/tests/mocks).

mock_provider "aws" {
  override_during = plan
  source          = "../../tests/mocks"
}

variables {
  name = "todo-test"
}

run "frontend_is_private_behind_https_with_security_headers" {
  command = plan

  variables {
    csp_connect_sources = ["https://cognito-idp.us-east-1.amazonaws.com"]
  }

  override_resource {
    target          = aws_cloudfront_response_headers_policy.security
    override_during = plan
    values          = { id = "headers-policy" }
  }

  override_resource {
    target          = aws_cloudfront_origin_access_control.web
    override_during = plan
    values          = { id = "oac-web" }
  }

  assert {
    condition     = aws_cloudfront_distribution.web.default_cache_behavior[0].response_headers_policy_id == "headers-policy"
    error_message = "The distribution must attach the security headers policy."
  }

  assert {
    condition     = strcontains(aws_cloudfront_response_headers_policy.security[0].security_headers_config[0].content_security_policy[0].content_security_policy, "connect-src 'self' https://cognito-idp.us-east-1.amazonaws.com;")
    error_message = "The CSP must let the web app reach its own origin (the API too) and Cognito, and nothing else."
  }

  assert {
    condition     = [for o in aws_cloudfront_distribution.web.origin : o.origin_access_control_id] == ["oac-web"]
    error_message = "CloudFront must read the bucket through Origin Access Control (not OAI)."
  }

  assert {
    condition     = aws_cloudfront_distribution.web.default_cache_behavior[0].viewer_protocol_policy == "redirect-to-https"
    error_message = "Viewers must be sent to HTTPS."
  }

  assert {
    condition = (
      one(data.aws_iam_policy_document.cloudfront_reads_objects.statement[0].condition).values
      == tolist(["arn:aws:cloudfront::123456789012:distribution/EDFDVBD6EXAMPLE"])
    )
    error_message = "Only this distribution may read the web bucket."
  }

  assert {
    condition = (
      length(aws_cloudfront_distribution.web.custom_error_response) == 0 &&
      [for f in aws_cloudfront_distribution.web.default_cache_behavior[0].function_association : f.event_type] == ["viewer-request"] &&
      aws_cloudfront_function.spa_routes.publish
    )
    error_message = "Client-side routes must be served index.html by a viewer-request function, never by error responses (they would rewrite the API's 403s and 404s)."
  }

  assert {
    condition     = length(aws_cloudfront_distribution.web.ordered_cache_behavior) == 0 && length(aws_cloudfront_distribution.web.origin) == 1
    error_message = "With no active backend, nothing but the bucket is an origin."
  }
}

run "front_door_routes_the_api_paths_to_the_active_backend_uncached" {
  command = plan

  variables {
    csp_connect_sources = ["https://cognito-idp.us-east-1.amazonaws.com"]
    api_origin          = { domain_name = "abc123.execute-api.us-east-1.amazonaws.com", origin_path = "/api" }
    web_acl_arn         = "arn:aws:wafv2:us-east-1:123456789012:global/webacl/todo-test-front-door/0123"
  }

  assert {
    condition = (
      [for b in aws_cloudfront_distribution.web.ordered_cache_behavior : b.path_pattern] == ["/todos", "/todos/*", "/health", "/ready"] &&
      alltrue([for b in aws_cloudfront_distribution.web.ordered_cache_behavior : b.target_origin_id == "api"])
    )
    error_message = "The API's paths (openapi.yaml) must go to the API origin."
  }

  assert {
    condition = alltrue([
      for b in aws_cloudfront_distribution.web.ordered_cache_behavior :
      b.cache_policy_id == "4135ea2d-6df8-44a3-9df3-4b5a84be39ad" &&
      b.origin_request_policy_id == "b689b0a8-53d0-40ab-baf2-68738e2966ac" &&
      contains(b.allowed_methods, "PATCH") && contains(b.allowed_methods, "DELETE")
    ])
    error_message = "API requests must not be cached (CachingDisabled), must reach the API with Authorization (AllViewerExceptHostHeader) and may use every method."
  }

  assert {
    condition = one([
      for o in aws_cloudfront_distribution.web.origin :
      "${o.domain_name}${o.origin_path}:${one(o.custom_origin_config).origin_protocol_policy}" if o.origin_id == "api"
    ]) == "abc123.execute-api.us-east-1.amazonaws.com/api:https-only"
    error_message = "The API origin must be the given domain and stage path, over HTTPS."
  }

  assert {
    condition     = aws_cloudfront_distribution.web.web_acl_id == var.web_acl_arn
    error_message = "The WAF web ACL must be on the distribution."
  }
}

run "api_origin_must_be_a_bare_host" {
  command = plan

  variables {
    csp_connect_sources = ["https://cognito-idp.us-east-1.amazonaws.com"]
    api_origin          = { domain_name = "https://abc123.execute-api.us-east-1.amazonaws.com", origin_path = "api" }
  }

  expect_failures = [var.api_origin]
}

# The module's README example (examples/minimal) plans as written.
run "example_minimal_plans" {
  command = plan

  module {
    source = "./examples/minimal"
  }
}
