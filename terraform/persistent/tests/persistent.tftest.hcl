# Plan-mode tests of the persistent root (mocked AWS provider: terraform/tests/mocks).

mock_provider "aws" {
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
