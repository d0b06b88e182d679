variable "name" {
  description = "Prefix for the load balancer, target group and security group names (the stack name)."
  type        = string
}

variable "vpc_id" {
  description = "ID of the VPC the load balancer lives in."
  type        = string

  validation {
    condition     = can(regex("^vpc-[0-9a-z]+$", var.vpc_id))
    error_message = "vpc_id must be a VPC ID (vpc-...)."
  }
}

variable "subnet_ids" {
  description = "Private subnets (two or more zones) for the internal load balancer."
  type        = list(string)

  validation {
    condition     = length(var.subnet_ids) >= 2 && alltrue([for id in var.subnet_ids : can(regex("^subnet-[0-9a-z-]+$", id))])
    error_message = "An application load balancer needs subnet IDs (subnet-...) in at least two zones."
  }
}

variable "target_port" {
  description = "Port gunicorn listens on in the instances."
  type        = number
  default     = 8000

  validation {
    condition     = var.target_port > 1024 && var.target_port < 65536
    error_message = "target_port must be an unprivileged port (1025-65535)."
  }
}

variable "health_check_path" {
  description = "Path the target group checks; must answer 200 without authentication."
  type        = string
  default     = "/health"

  validation {
    condition     = startswith(var.health_check_path, "/")
    error_message = "health_check_path must start with '/'."
  }
}

variable "deregistration_delay_seconds" {
  description = "How long a draining instance keeps serving in-flight requests."
  type        = number
  default     = 30

  validation {
    condition     = var.deregistration_delay_seconds >= 0 && var.deregistration_delay_seconds <= 3600
    error_message = "deregistration_delay_seconds must be between 0 and 3600."
  }
}
