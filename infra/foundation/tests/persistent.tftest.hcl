# Plan-mode tests of the foundation (infra/foundation) (mocked AWS provider: infra/tests/mocks).

mock_provider "aws" {
  override_during = plan
  source          = "../tests/mocks"
}

# The us-east-1 provider of CloudFront's WAF (providers.tf).
mock_provider "aws" {
  alias           = "us_east_1"
  override_during = plan
  source          = "../tests/mocks"
}

variables {
  name = "todo-test"
}

run "persistent_holds_the_data_and_the_users_and_publishes_them" {
  command = plan

  assert {
    condition     = output.table_name == "todo-test-todos"
    error_message = "The table must be named <stack>-todos by default."
  }

  assert {
    condition     = module.data.deletion_protection && module.auth.deletion_protection
    error_message = "The table and the user pool must have deletion protection by default."
  }

  assert {
    condition = (
      output.issuer == "https://cognito-idp.us-east-1.amazonaws.com/us-east-1_TestPool1" &&
      output.user_pool_id == "us-east-1_TestPool1" &&
      output.user_pool_client_id == "testclientid0123456789" &&
      output.table_arn == "arn:aws:dynamodb:us-east-1:123456789012:table/todo-test-todos"
    )
    error_message = "The root must publish what the app root reads: table, pool, client, issuer."
  }
}

run "persistent_can_be_unprotected_on_purpose" {
  command = plan

  variables {
    deletion_protection = false
  }

  assert {
    condition     = !module.data.deletion_protection && !module.auth.deletion_protection
    error_message = "deletion_protection = false (the documented way to destroy this root) must reach both resources."
  }
}

run "foundation_holds_the_front_door_waf_and_alarm_topic_once" {
  command = plan

  assert {
    condition = (
      output.web_url == "https://d111111abcdef8.cloudfront.net" &&
      length(module.waf) == 1 && module.frontend.web_acl_arn == module.waf[0].web_acl_arn &&
      output.alarm_topic_arn != null
    )
    error_message = "The foundation must own the front door, with the WAF on it (stage prod), and the alarm topic."
  }

  assert {
    condition     = output.backend == null && module.frontend.api_origin == null
    error_message = "With no backend given, the front door routes no API (a first apply, before any compute)."
  }
}

run "foundation_routes_the_api_to_the_given_backend" {
  command = plan

  variables {
    stage   = "dev"
    backend = { architecture = "serverless", domain_name = "abc123.execute-api.us-east-1.amazonaws.com", origin_path = "/api" }
  }

  assert {
    condition     = module.frontend.api_origin == { domain_name = "abc123.execute-api.us-east-1.amazonaws.com", origin_path = "/api" } && output.backend.architecture == "serverless"
    error_message = "The backend variable must become the front door's API origin, and be read back as an output."
  }

  assert {
    condition     = length(module.waf) == 0
    error_message = "Outside prod the WAF (a monthly cost) must be off by default."
  }
}

run "foundation_refuses_an_unknown_architecture" {
  command = plan

  variables {
    backend = { architecture = "kubernetes", domain_name = "abc.example.com", origin_path = "" }
  }

  expect_failures = [var.backend]
}
