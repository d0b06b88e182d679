# Users sign in with their email. The pool lives in the persistent root, and AWS
# deletion protection refuses to delete (or replace) it while deletion_protection is on.
resource "aws_cognito_user_pool" "this" {
  name = "${var.name}-users"

  username_attributes      = ["email"]
  auto_verified_attributes = ["email"]
  deletion_protection      = var.deletion_protection ? "ACTIVE" : "INACTIVE"

  username_configuration {
    case_sensitive = false
  }

  # A changed email takes effect only once the code sent to it is confirmed; until
  # then the user keeps signing in with (and recovering through) the old one.
  user_attribute_update_settings {
    attributes_require_verification_before_update = ["email"]
  }

  # Threat protection (compromised credentials, adaptive authentication) is a paid
  # Plus-tier feature: opt in with threat_protection = AUDIT or ENFORCED.
  user_pool_tier = var.threat_protection == "OFF" ? null : "PLUS"

  dynamic "user_pool_add_ons" {
    for_each = var.threat_protection == "OFF" ? [] : [var.threat_protection]
    content {
      advanced_security_mode = user_pool_add_ons.value
    }
  }

  password_policy {
    minimum_length                   = var.password_minimum_length
    require_lowercase                = true
    require_uppercase                = true
    require_numbers                  = true
    require_symbols                  = true
    temporary_password_validity_days = 3
  }

  account_recovery_setting {
    recovery_mechanism {
      name     = "verified_email"
      priority = 1
    }
  }

  verification_message_template {
    default_email_option = "CONFIRM_WITH_CODE"
  }

  # Cognito's own sender allows about 50 emails a day: enough to try the stack, not
  # to run it. With an SES identity, sign-up codes and resets go through SES.
  email_configuration {
    email_sending_account = var.ses_identity_arn == null ? "COGNITO_DEFAULT" : "DEVELOPER"
    source_arn            = var.ses_identity_arn
    from_email_address    = var.email_from
  }

  mfa_configuration = var.mfa

  dynamic "software_token_mfa_configuration" {
    for_each = var.mfa == "OFF" ? [] : [1]
    content {
      enabled = true
    }
  }

  schema {
    name                = "email"
    attribute_data_type = "String"
    required            = true
    mutable             = true

    string_attribute_constraints {
      min_length = 3
      max_length = 254
    }
  }

  lifecycle {
    precondition {
      condition     = var.email_from == null || var.ses_identity_arn != null
      error_message = "email_from needs ses_identity_arn: Cognito's own sender has a fixed address."
    }
  }
}

# The web app's client: public (no secret, it runs in a browser). Passwords never
# travel: SRP is the only sign-in flow (USER_PASSWORD_AUTH exists only in the local
# stand-in, tools/local_stack.py). Refresh tokens rotate: each refresh
# (GetTokensFromRefreshToken) returns a new one and retires the old after a short grace.
resource "aws_cognito_user_pool_client" "web" {
  name         = "${var.name}-web"
  user_pool_id = aws_cognito_user_pool.this.id

  generate_secret = false
  explicit_auth_flows = [
    "ALLOW_USER_SRP_AUTH",
    "ALLOW_REFRESH_TOKEN_AUTH",
  ]
  prevent_user_existence_errors = "ENABLED"
  enable_token_revocation       = true

  id_token_validity      = var.id_token_validity_minutes
  access_token_validity  = var.id_token_validity_minutes
  refresh_token_validity = var.refresh_token_validity_days
  token_validity_units {
    id_token      = "minutes"
    access_token  = "minutes"
    refresh_token = "days"
  }

  refresh_token_rotation {
    feature                    = var.refresh_token_rotation ? "ENABLED" : "DISABLED"
    retry_grace_period_seconds = var.refresh_token_rotation ? 10 : null
  }

  read_attributes  = ["email", "email_verified"]
  write_attributes = ["email"]
}

data "aws_region" "current" {}
