variable "name" {
  description = "Prefix for every resource name and Name tag (the stack name)."
  type        = string
}

variable "cidr_block" {
  description = "IPv4 CIDR of the VPC; split into one public and one private subnet per availability zone."
  type        = string
  default     = "10.40.0.0/16"

  validation {
    condition     = can(cidrnetmask(var.cidr_block)) && tonumber(split("/", var.cidr_block)[1]) <= 20
    error_message = "cidr_block must be a valid IPv4 CIDR of /20 or larger."
  }
}

variable "az_count" {
  description = "How many availability zones to spread the subnets over."
  type        = number
  default     = 2

  validation {
    condition     = var.az_count >= 2 && var.az_count <= 4
    error_message = "az_count must be between 2 and 4 (the ALB needs two zones)."
  }
}

variable "single_nat_gateway" {
  description = "true: one NAT gateway shared by all private subnets (cheaper). false: one per availability zone (survives a zone outage)."
  type        = bool
  default     = true
}

variable "flow_log_retention_days" {
  description = "Days to keep the VPC flow logs (rejected traffic) in CloudWatch Logs."
  type        = number
  default     = 30

  validation {
    condition     = contains([1, 3, 5, 7, 14, 30, 60, 90, 120, 150, 180, 365, 400, 545, 731, 1096, 1827, 2192, 2557, 2922, 3288, 3653], var.flow_log_retention_days)
    error_message = "flow_log_retention_days must be a retention period CloudWatch Logs accepts."
  }
}

variable "permissions_boundary_arn" {
  description = "IAM policy set as the permissions boundary of every IAM role this creates (null: none)."
  type        = string
  default     = null

  validation {
    condition     = var.permissions_boundary_arn == null ? true : can(regex("^arn:aws[a-z-]*:iam::[0-9]{12}:policy/.+$", var.permissions_boundary_arn))
    error_message = "permissions_boundary_arn must be an IAM policy ARN or null."
  }
}
