variable "table_name" {
  description = "DynamoDB table name; null means <name>-todos."
  type        = string
  default     = null
}

variable "deletion_protection" {
  description = "AWS deletion protection on the table and the user pool. Turn it off only to destroy this root on purpose (docs/serverful.md)."
  type        = bool
  default     = true
}

variable "mfa" {
  description = "Cognito MFA: OFF or OPTIONAL (TOTP)."
  type        = string
  default     = "OPTIONAL"
}

variable "threat_protection" {
  description = "Cognito threat protection (a paid Plus-tier feature): OFF, AUDIT or ENFORCED (THREAT_PROTECTION)."
  type        = string
  default     = "OFF"
}

variable "ses_identity_arn" {
  description = "Verified SES identity that sends Cognito's emails (null: Cognito's own sender, about 50 emails a day). See the auth module."
  type        = string
  default     = null
}

variable "email_from" {
  description = "From address of Cognito's emails through SES, e.g. \"Todo <no-reply@example.com>\" (needs ses_identity_arn)."
  type        = string
  default     = null
}

