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


variable "stage" {
  description = "Deployment stage (STAGE): prod turns the WAF on unless enable_waf says otherwise."
  type        = string
  default     = "prod"

  validation {
    condition     = can(regex("^[a-z][a-z0-9-]{0,15}$", var.stage))
    error_message = "stage must be 1-16 lowercase letters, digits or hyphens, starting with a letter."
  }
}

variable "backend" {
  description = "The active backend the front door routes the API to (set by the deploy scripts and `make switch`, docs/foundation.md): architecture, the API's domain_name and origin_path (\"/api\" for the REST stage, \"\" for the HTTP API). null: none yet."
  type = object({
    architecture = string
    domain_name  = string
    origin_path  = string
  })
  default = null

  validation {
    condition     = var.backend == null ? true : contains(["serverless", "serverful"], var.backend.architecture)
    error_message = "backend.architecture must be serverless or serverful."
  }
}

variable "enable_waf" {
  description = "Put the WAF web ACL (rate limits per token and per client IP, known bad inputs) on the front door; null: on for stage prod only (a web ACL costs about 5 USD a month plus requests)."
  type        = bool
  default     = null
}

variable "waf_token_rate_limit" {
  description = "WAF: requests per 5 minutes one Authorization header value (one session) may make."
  type        = number
  default     = 1000
}

variable "waf_ip_rate_limit" {
  description = "WAF: requests per 5 minutes one client IP may make."
  type        = number
  default     = 3000
}

variable "log_retention_days" {
  description = "Days to keep the WAF logs."
  type        = number
  default     = 30
}

variable "alarm_email" {
  description = "Email address the alarm topic notifies (ALARM_EMAIL; it must confirm the subscription). null: no subscription."
  type        = string
  default     = null
}

variable "security_headers_policy_id" {
  description = "Existing CloudFront response headers policy to use instead of creating one (null: create). Set by the local rehearsal."
  type        = string
  default     = null
}

variable "publish_function" {
  description = "Publish the web app's CloudFront function (false only in the local rehearsal: moto has no PublishFunction)."
  type        = bool
  default     = true
}
