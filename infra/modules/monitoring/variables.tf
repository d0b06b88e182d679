variable "name" {
  description = "Stack name: prefixes every resource, names the dashboard, and is the app's metrics `service` dimension (POWERTOOLS_SERVICE_NAME)."
  type        = string
}

variable "alarm_topic_arn" {
  description = "SNS topic every alarm notifies (the foundation's)."
  type        = string

  validation {
    condition     = can(regex("^arn:aws[a-z-]*:sns:", var.alarm_topic_arn))
    error_message = "alarm_topic_arn must be an SNS topic ARN."
  }
}

variable "log_retention_days" {
  description = "Days to keep the app log group (the same as the Lambda function's on the serverless path)."
  type        = number
  default     = 30

  validation {
    condition     = contains([1, 3, 5, 7, 14, 30, 60, 90, 120, 150, 180, 365, 400, 545, 731, 1096, 1827, 2192, 2557, 2922, 3288, 3653], var.log_retention_days)
    error_message = "log_retention_days must be a retention period CloudWatch Logs accepts."
  }
}

variable "api_id" {
  description = "ID of the HTTP API (its $default stage is watched)."
  type        = string
}

variable "alb_arn" {
  description = "ARN of the internal application load balancer."
  type        = string

  validation {
    condition     = can(regex(":loadbalancer/app/[^/]+/[^/]+$", var.alb_arn))
    error_message = "alb_arn must be an application load balancer ARN."
  }
}

variable "target_group_arn" {
  description = "ARN of the app instances' target group."
  type        = string

  validation {
    condition     = can(regex(":targetgroup/[^/]+/[^/]+$", var.target_group_arn))
    error_message = "target_group_arn must be a target group ARN."
  }
}

variable "autoscaling_group_name" {
  description = "Name of the app instances' Auto Scaling group."
  type        = string
}

variable "min_size" {
  description = "The group's minimum size: fewer instances in service than this alarms."
  type        = number
}

variable "table_name" {
  description = "DynamoDB table the app uses."
  type        = string
}

# Thresholds: docs/operations.md says why each is what it is.
variable "api_5xx_rate_threshold" {
  description = "Share of API answers that may be 5xx (minutes with 20+ requests) before alarming."
  type        = number
  default     = 0.05
}

variable "api_p99_latency_ms" {
  description = "API Gateway p99 latency (ms) that alarms."
  type        = number
  default     = 2000
}

variable "cpu_alarm_percent" {
  description = "Average CPU over 10 minutes that alarms (scaling aims lower)."
  type        = number
  default     = 80
}

variable "auth_failures_per_5_minutes" {
  description = "Tokens the app may refuse in 5 minutes before alarming."
  type        = number
  default     = 50
}
