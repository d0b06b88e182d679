variable "name" {
  description = "Prefix for the web ACL, its metrics and its log group (the stack name)."
  type        = string
}

variable "token_rate_limit" {
  description = "Requests one Authorization header value (one signed-in session) may make per evaluation window."
  type        = number
  default     = 1000

  validation {
    condition     = var.token_rate_limit >= 10 && var.token_rate_limit <= 2000000000
    error_message = "token_rate_limit must be between 10 and 2,000,000,000 (WAF's limits)."
  }
}

variable "ip_rate_limit" {
  description = "Requests one client IP may make per evaluation window."
  type        = number
  default     = 3000

  validation {
    condition     = var.ip_rate_limit >= 10 && var.ip_rate_limit <= 2000000000
    error_message = "ip_rate_limit must be between 10 and 2,000,000,000 (WAF's limits)."
  }
}

variable "evaluation_window_seconds" {
  description = "Window the rate-based rules count over; also the Retry-After of a blocked request."
  type        = number
  default     = 300

  validation {
    condition     = contains([60, 120, 300, 600], var.evaluation_window_seconds)
    error_message = "evaluation_window_seconds must be 60, 120, 300 or 600."
  }
}

variable "log_retention_days" {
  description = "Days to keep the WAF logs."
  type        = number
  default     = 30

  validation {
    condition     = contains([1, 3, 5, 7, 14, 30, 60, 90, 120, 150, 180, 365, 400, 545, 731, 1096, 1827, 2192, 2557, 2922, 3288, 3653], var.log_retention_days)
    error_message = "log_retention_days must be a retention period CloudWatch Logs accepts."
  }
}
