variable "region" {
  description = "AWS region of the stack."
  type        = string
  default     = "us-east-1"

  validation {
    condition     = can(regex("^[a-z]{2}(-[a-z]+)+-[0-9]$", var.region))
    error_message = "region must look like us-east-1."
  }
}

variable "name" {
  description = "Stack name: prefix of every resource (STACK_NAME, default todo-<stage>)."
  type        = string
  default     = "todo-prod"

  validation {
    condition     = can(regex("^[a-z][a-z0-9-]{1,20}$", var.name))
    error_message = "name must be 2-21 lowercase letters, digits or hyphens, starting with a letter."
  }
}

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

variable "local_endpoint" {
  description = "Local rehearsal only: URL of a moto server that every AWS API is sent to. Leave null on AWS."
  type        = string
  default     = null

  validation {
    condition     = var.local_endpoint == null || can(regex("^http://(127\\.0\\.0\\.1|localhost):[0-9]+$", var.local_endpoint))
    error_message = "local_endpoint must be http://127.0.0.1:<port> (a local moto server) or null."
  }
}
