# Plan-mode tests of the alarm_topic module (mocked AWS provider: infra/tests/mocks).

mock_provider "aws" {
  override_during = plan
  source          = "../../tests/mocks"
}

variables {
  name = "todo-test"
}

run "topic_is_encrypted_and_email_is_optional" {
  command = plan

  assert {
    condition     = aws_sns_topic.alarms.kms_master_key_id == aws_kms_key.alarms.arn && aws_kms_key.alarms.enable_key_rotation
    error_message = "The alarm topic must be encrypted with its own rotated key."
  }

  assert {
    condition     = length(aws_sns_topic_subscription.email) == 0
    error_message = "Without alarm_email there is no subscription."
  }

}

run "topic_subscribes_the_alarm_email" {
  command = plan

  variables {
    alarm_email = "ops@example.com"
  }

  assert {
    condition     = length(aws_sns_topic_subscription.email) == 1 && aws_sns_topic_subscription.email[0].endpoint == "ops@example.com" && aws_sns_topic_subscription.email[0].protocol == "email"
    error_message = "alarm_email must subscribe that address to the topic."
  }
}

run "topic_rejects_a_bad_alarm_email" {
  command = plan

  variables {
    alarm_email = "not an address"
  }

  expect_failures = [var.alarm_email]
}

# The module's README example (examples/minimal) plans as written.
run "example_minimal_plans" {
  command = plan

  module {
    source = "./examples/minimal"
  }
}
