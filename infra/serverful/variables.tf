variable "ami_id" {
  description = "The pinned Amazon Linux 2023 (x86_64) AMI of the app instances (AMI_ID); change it deliberately to roll the instances. null only for `terraform destroy`."
  type        = string
  default     = null
}

variable "permissions_boundary_arn" {
  description = "IAM policy set as the permissions boundary of every IAM role this root creates (PERMISSIONS_BOUNDARY_ARN; null: none)."
  type        = string
  default     = null
}

variable "persistent_state" {
  description = "Where the persistent root's state is (backend \"local\" with config.path, or \"s3\" with bucket, key, region): the app reads the table and the user pool from its outputs."
  type = object({
    backend = string
    config  = map(string)
  })

  validation {
    condition     = contains(["local", "s3"], var.persistent_state.backend)
    error_message = "persistent_state.backend must be local or s3 (the backends tools/deploy_serverful.py uses)."
  }
}

variable "artifact_path" {
  description = "Path of the app artifact zip built by `make artifact`; null only for `terraform destroy`."
  type        = string
  default     = null

  validation {
    condition     = var.artifact_path == null ? true : endswith(var.artifact_path, ".zip")
    error_message = "artifact_path must point at the .zip that `make artifact` builds."
  }
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
  description = "Origins allowed besides the front door (the web app calls the API on its own origin), e.g. http://localhost:5173 for development against this API."
  type        = list(string)
  default     = []
}

variable "app_port" {
  description = "Port gunicorn listens on in the instances (ALB target port)."
  type        = number
  default     = 8080
}

variable "log_retention_days" {
  description = "Days to keep the app and API access logs (the serverless stack's LogRetentionDays)."
  type        = number
  default     = 30
}
