# Plan-mode tests of the data module's promises (mocked AWS provider: infra/tests/mocks).

mock_provider "aws" {
  override_during = plan
  source          = "../../tests/mocks"
}

variables {
  name = "todo-test"
}

run "data_table_is_retained_and_matches_the_data_model" {
  command = plan

  variables {
    table_name = "todo-test-todos"
  }

  assert {
    condition     = aws_dynamodb_table.this.deletion_protection_enabled == true
    error_message = "The table must have deletion protection."
  }

  assert {
    condition     = aws_dynamodb_table.this.point_in_time_recovery[0].enabled == true
    error_message = "The table must have point-in-time recovery."
  }

  assert {
    condition     = aws_dynamodb_table.this.server_side_encryption[0].enabled == true
    error_message = "The table must be encrypted with KMS."
  }

  assert {
    condition = (
      aws_dynamodb_table.this.hash_key == "user_id" &&
      aws_dynamodb_table.this.range_key == "item_id" &&
      [for i in aws_dynamodb_table.this.local_secondary_index : i.name] == ["by_order"] &&
      aws_dynamodb_table.this.ttl[0].attribute_name == "expires_at" &&
      aws_dynamodb_table.this.billing_mode == "PAY_PER_REQUEST"
    )
    error_message = "The table must have the key schema of docs/data-model.md."
  }
}

# The module's README example (examples/minimal) plans as written.
run "example_minimal_plans" {
  command = plan

  module {
    source = "./examples/minimal"
  }
}
