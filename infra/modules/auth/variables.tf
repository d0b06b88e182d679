variable "name" {
  description = "Prefix for the user pool and app client names (the stack name)."
  type        = string
}

variable "password_minimum_length" {
  description = "Minimum password length; upper case, lower case, digits and symbols are always required."
  type        = number
  default     = 12

  validation {
    condition     = var.password_minimum_length >= 12 && var.password_minimum_length <= 99
    error_message = "password_minimum_length must be between 12 and 99."
  }
}

variable "mfa" {
  description = "Multi-factor authentication: OFF, or OPTIONAL (users may enrol a TOTP authenticator app)."
  type        = string
  default     = "OPTIONAL"

  validation {
    condition     = contains(["OFF", "OPTIONAL"], var.mfa)
    error_message = "mfa must be OFF or OPTIONAL."
  }
}

variable "id_token_validity_minutes" {
  description = "Lifetime of ID and access tokens, in minutes."
  type        = number
  default     = 60

  validation {
    condition     = var.id_token_validity_minutes >= 5 && var.id_token_validity_minutes <= 1440
    error_message = "id_token_validity_minutes must be between 5 and 1440 (Cognito's limits)."
  }
}

variable "refresh_token_validity_days" {
  description = "Lifetime of refresh tokens, in days: how long a stolen one stays useful, and how often users sign in again."
  type        = number
  default     = 7

  validation {
    condition     = var.refresh_token_validity_days >= 1 && var.refresh_token_validity_days <= 3650
    error_message = "refresh_token_validity_days must be between 1 and 3650."
  }
}

variable "ses_identity_arn" {
  description = "ARN of a verified SES identity (domain or address) that sends the pool's emails. null: Cognito's own sender, limited to about 50 emails a day."
  type        = string
  default     = null

  validation {
    condition     = var.ses_identity_arn == null || can(regex("^arn:aws[a-z-]*:ses:[a-z0-9-]+:[0-9]{12}:identity/.+$", var.ses_identity_arn))
    error_message = "ses_identity_arn must be an SES identity ARN (arn:aws:ses:<region>:<account>:identity/<domain or address>)."
  }
}

variable "email_from" {
  description = "From address of the pool's emails through SES, e.g. \"Todo <no-reply@example.com>\"; it must belong to the SES identity. null: the identity's own address (a domain identity needs one)."
  type        = string
  default     = null

  validation {
    condition     = var.email_from == null || can(regex("@[^@\\s]+\\.[^@\\s>]+>?$", var.email_from))
    error_message = "email_from must be an email address, optionally with a display name: \"Todo <no-reply@example.com>\"."
  }
}

variable "deletion_protection" {
  description = "AWS deletion protection on the user pool: while on, no delete or replacement of the pool can succeed."
  type        = bool
  default     = true
}

variable "refresh_token_rotation" {
  description = "Rotate refresh tokens: each refresh returns a new one and retires the old (the client must refresh with GetTokensFromRefreshToken)."
  type        = bool
  default     = true
}

variable "threat_protection" {
  description = "Cognito threat protection (Plus tier, paid per active user): OFF, AUDIT (log risky sign-ins) or ENFORCED (block them)."
  type        = string
  default     = "OFF"

  validation {
    condition     = contains(["OFF", "AUDIT", "ENFORCED"], var.threat_protection)
    error_message = "threat_protection must be OFF, AUDIT or ENFORCED."
  }
}
