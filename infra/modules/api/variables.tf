variable "name" {
  description = "Prefix for the API, VPC Link and log group names (the stack name)."
  type        = string
}

variable "subnet_ids" {
  description = "Private subnets for the VPC Link's network interfaces."
  type        = list(string)

  validation {
    condition     = length(var.subnet_ids) >= 1 && alltrue([for id in var.subnet_ids : can(regex("^subnet-[0-9a-z-]+$", id))])
    error_message = "At least one subnet ID (subnet-...) is required."
  }
}

variable "vpc_link_security_group_ids" {
  description = "Security groups of the VPC Link (the ALB admits exactly these)."
  type        = list(string)

  validation {
    condition     = length(var.vpc_link_security_group_ids) >= 1 && alltrue([for id in var.vpc_link_security_group_ids : can(regex("^sg-[0-9a-z]+$", id))])
    error_message = "vpc_link_security_group_ids must be one or more security group IDs (sg-...)."
  }
}

variable "listener_arn" {
  description = "ARN of the internal ALB listener the API forwards to."
  type        = string

  validation {
    condition     = can(regex("^arn:aws[a-z-]*:elasticloadbalancing:.*:listener/", var.listener_arn))
    error_message = "listener_arn must be an ALB listener ARN."
  }
}

variable "jwt_issuer" {
  description = "Issuer of the tokens the JWT authorizer accepts: the Cognito user pool's issuer URL."
  type        = string

  validation {
    condition     = can(regex("^https://cognito-idp\\.[a-z0-9-]+\\.amazonaws\\.com/[A-Za-z0-9_-]+$", var.jwt_issuer))
    error_message = "jwt_issuer must be a Cognito issuer: https://cognito-idp.<region>.amazonaws.com/<pool id>."
  }
}

variable "jwt_audience" {
  description = "Accepted audiences (the Cognito app client IDs)."
  type        = list(string)

  validation {
    condition     = length(var.jwt_audience) >= 1
    error_message = "At least one audience (app client ID) is required."
  }
}

variable "cors_origins" {
  description = "Origins allowed to call the API from a browser (the web app's URL)."
  type        = list(string)

  validation {
    condition     = alltrue([for o in var.cors_origins : can(regex("^https?://[^/]+$", o))])
    error_message = "Each CORS origin must be scheme://host[:port] with no path."
  }
}

variable "throttling_rate_limit" {
  description = "Steady-state requests per second the stage allows."
  type        = number
  default     = 100

  validation {
    condition     = var.throttling_rate_limit > 0
    error_message = "throttling_rate_limit must be positive."
  }
}

variable "throttling_burst_limit" {
  description = "Burst of requests the stage allows."
  type        = number
  default     = 200

  validation {
    condition     = var.throttling_burst_limit > 0
    error_message = "throttling_burst_limit must be positive."
  }
}

variable "route_throttling" {
  description = "Tighter throttling for single routes (route key => limits), below the stage's: by default the bulk routes, which touch every todo of a user per call."
  type = map(object({
    rate_limit  = number
    burst_limit = number
  }))
  default = {
    "PATCH /todos"  = { rate_limit = 10, burst_limit = 20 }
    "DELETE /todos" = { rate_limit = 10, burst_limit = 20 }
  }

  validation {
    condition     = alltrue([for r in values(var.route_throttling) : r.rate_limit > 0 && r.burst_limit > 0])
    error_message = "Route throttling limits must be positive."
  }
}

variable "log_retention_days" {
  description = "Days to keep the API access logs."
  type        = number
  default     = 30

  validation {
    condition     = contains([1, 3, 5, 7, 14, 30, 60, 90, 120, 150, 180, 365, 400, 545, 731, 1096, 1827, 2192, 2557, 2922, 3288, 3653], var.log_retention_days)
    error_message = "log_retention_days must be a retention period CloudWatch Logs accepts."
  }
}
