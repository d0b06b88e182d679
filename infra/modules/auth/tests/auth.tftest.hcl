# Plan-mode tests of the auth module's promises (mocked AWS provider: infra/tests/mocks).

mock_provider "aws" {
  override_during = plan
  source          = "../../tests/mocks"
}

variables {
  name = "todo-test"
}

run "auth_pool_is_retained_with_the_agreed_client" {
  command = plan

  assert {
    condition     = aws_cognito_user_pool.this.deletion_protection == "ACTIVE"
    error_message = "The user pool must have deletion protection."
  }

  assert {
    condition     = aws_cognito_user_pool.this.username_attributes == toset(["email"]) && aws_cognito_user_pool.this.password_policy[0].minimum_length >= 12
    error_message = "Users must sign in with their email under a strong password policy."
  }

  assert {
    condition = (
      aws_cognito_user_pool_client.web.generate_secret == false &&
      aws_cognito_user_pool_client.web.prevent_user_existence_errors == "ENABLED" &&
      toset(aws_cognito_user_pool_client.web.explicit_auth_flows) == toset(["ALLOW_USER_SRP_AUTH", "ALLOW_REFRESH_TOKEN_AUTH"])
    )
    error_message = "The app client must be public, hide user existence and sign in with SRP only (no USER_PASSWORD_AUTH)."
  }

  assert {
    condition = (
      aws_cognito_user_pool_client.web.refresh_token_validity <= 7 &&
      one(aws_cognito_user_pool_client.web.token_validity_units).refresh_token == "days" &&
      one(aws_cognito_user_pool_client.web.refresh_token_rotation).feature == "ENABLED"
    )
    error_message = "Refresh tokens must live at most 7 days and rotate on every refresh."
  }

  assert {
    condition     = one(aws_cognito_user_pool.this.user_attribute_update_settings).attributes_require_verification_before_update == toset(["email"])
    error_message = "A new email must be verified before it replaces the old one."
  }

  assert {
    condition     = length(aws_cognito_user_pool.this.user_pool_add_ons) == 0
    error_message = "Threat protection (a paid tier) must be off unless asked for."
  }
}

run "auth_threat_protection_is_an_opt_in" {
  command = plan

  variables {
    threat_protection = "ENFORCED"
  }

  assert {
    condition     = one(aws_cognito_user_pool.this.user_pool_add_ons).advanced_security_mode == "ENFORCED" && aws_cognito_user_pool.this.user_pool_tier == "PLUS"
    error_message = "threat_protection = ENFORCED must turn on Cognito's threat protection (Plus tier)."
  }
}

run "auth_pool_uses_cognitos_sender_by_default" {
  command = plan

  assert {
    condition     = one(aws_cognito_user_pool.this.email_configuration).email_sending_account == "COGNITO_DEFAULT"
    error_message = "Without an SES identity the pool must use Cognito's own sender."
  }
}

run "auth_pool_sends_through_ses_when_given_an_identity" {
  command = plan

  variables {
    ses_identity_arn = "arn:aws:ses:us-east-1:123456789012:identity/example.com"
    email_from       = "Todo <no-reply@example.com>"
  }

  assert {
    condition = (
      one(aws_cognito_user_pool.this.email_configuration).email_sending_account == "DEVELOPER" &&
      one(aws_cognito_user_pool.this.email_configuration).source_arn == "arn:aws:ses:us-east-1:123456789012:identity/example.com" &&
      one(aws_cognito_user_pool.this.email_configuration).from_email_address == "Todo <no-reply@example.com>"
    )
    error_message = "With an SES identity the pool must send through it, from the given address."
  }
}

run "auth_pool_rejects_a_from_address_without_an_ses_identity" {
  command = plan

  variables {
    email_from = "Todo <no-reply@example.com>"
  }

  expect_failures = [aws_cognito_user_pool.this]
}

run "auth_pool_rejects_what_is_not_an_ses_identity" {
  command = plan

  variables {
    ses_identity_arn = "arn:aws:s3:::not-an-identity"
    email_from       = "not-an-address"
  }

  expect_failures = [var.ses_identity_arn, var.email_from]
}

# The module's README example (examples/minimal) plans as written.
run "example_minimal_plans" {
  command = plan

  module {
    source = "./examples/minimal"
  }
}
