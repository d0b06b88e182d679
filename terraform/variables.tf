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

variable "artifact_path" {
  description = "Path of the app artifact zip built by `make artifact`."
  type        = string

  validation {
    condition     = endswith(var.artifact_path, ".zip")
    error_message = "artifact_path must point at the .zip that `make artifact` builds."
  }
}

variable "table_name" {
  description = "DynamoDB table name; null means <name>-todos."
  type        = string
  default     = null
}

variable "vpc_cidr" {
  description = "IPv4 CIDR of the VPC."
  type        = string
  default     = "10.40.0.0/16"
}

variable "az_count" {
  description = "Availability zones to use (two or more)."
  type        = number
  default     = 2
}

variable "single_nat_gateway" {
  description = "One shared NAT gateway (cheaper) instead of one per zone (more available)."
  type        = bool
  default     = true
}

variable "instance_type" {
  description = "EC2 instance type of the app servers (x86_64)."
  type        = string
  default     = "t3.small"
}

variable "min_size" {
  description = "Minimum number of app instances."
  type        = number
  default     = 2
}

variable "max_size" {
  description = "Maximum number of app instances."
  type        = number
  default     = 4
}

variable "cpu_target_percent" {
  description = "Average CPU the Auto Scaling group's target tracking aims for."
  type        = number
  default     = 50
}

variable "wait_for_capacity_timeout" {
  description = "How long apply waits for healthy instances (\"0\": do not wait)."
  type        = string
  default     = "15m"
}

variable "mfa" {
  description = "Cognito MFA: OFF or OPTIONAL (TOTP)."
  type        = string
  default     = "OPTIONAL"
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

variable "throttling_rate_limit" {
  description = "API stage steady-state requests per second."
  type        = number
  default     = 100
}

variable "throttling_burst_limit" {
  description = "API stage burst."
  type        = number
  default     = 200
}

variable "extra_cors_origins" {
  description = "Origins allowed besides the CloudFront web app, e.g. http://localhost:5173 for development against this API."
  type        = list(string)
  default     = []
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

variable "security_headers_policy_id" {
  description = "Existing CloudFront response headers policy to use instead of creating one (null: create). Set by the local rehearsal."
  type        = string
  default     = null
}

variable "app_port" {
  description = "Port gunicorn listens on in the instances (ALB target port)."
  type        = number
  default     = 8080
}

variable "alarm_email" {
  description = "Email address the alarm topic notifies (ALARM_EMAIL; it must confirm the subscription). null: no subscription."
  type        = string
  default     = null
}

variable "log_retention_days" {
  description = "Days to keep the app and API access logs (the serverless stack's LogRetentionDays)."
  type        = number
  default     = 30
}
