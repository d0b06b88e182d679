# Plan-mode tests of the frontend module's promises (mocked AWS provider: terraform/tests/mocks).

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
    csp_connect_sources = ["https://*.execute-api.us-east-1.amazonaws.com", "https://cognito-idp.us-east-1.amazonaws.com"]
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
    condition     = strcontains(aws_cloudfront_response_headers_policy.security[0].security_headers_config[0].content_security_policy[0].content_security_policy, "connect-src 'self' https://*.execute-api.us-east-1.amazonaws.com https://cognito-idp.us-east-1.amazonaws.com")
    error_message = "The CSP must let the web app reach the API and Cognito, and nothing else."
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
    condition = toset([for r in aws_cloudfront_distribution.web.custom_error_response : "${r.error_code}:${r.response_code}:${r.response_page_path}"]) == toset([
      "403:200:/index.html", "404:200:/index.html",
    ])
    error_message = "Unknown paths must fall back to index.html (single-page app)."
  }
}

# The module's README example (examples/minimal) plans as written.
run "example_minimal_plans" {
  command = plan

  module {
    source = "./examples/minimal"
  }
}
