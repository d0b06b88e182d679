variable "name" {
  description = "Stack name: the topic is <name>-alarms."
  type        = string
}

variable "alarm_email" {
  description = "Email address the alarm topic notifies (it must confirm the subscription); null for none (ALARM_EMAIL)."
  type        = string
  default     = null

  validation {
    condition     = var.alarm_email == null || can(regex("^[^@\\s]+@[^@\\s]+$", var.alarm_email))
    error_message = "alarm_email must be an email address or null."
  }
}
