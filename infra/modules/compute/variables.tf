variable "name" {
  description = "Prefix for every resource name (the stack name)."
  type        = string
}

variable "vpc_id" {
  description = "ID of the VPC the instances run in."
  type        = string

  validation {
    condition     = can(regex("^vpc-[0-9a-z]+$", var.vpc_id))
    error_message = "vpc_id must be a VPC ID (vpc-...)."
  }
}

variable "subnet_ids" {
  description = "Private subnets the Auto Scaling group spreads instances over."
  type        = list(string)

  validation {
    condition     = length(var.subnet_ids) >= 1 && alltrue([for id in var.subnet_ids : can(regex("^subnet-[0-9a-z-]+$", id))])
    error_message = "At least one private subnet ID (subnet-...) is required."
  }
}

variable "artifact_path" {
  description = "Local path of the app artifact zip built by `make artifact`; its hash names the S3 object, so a new build rolls the instances; null only for `terraform destroy`."
  type        = string
  default     = null

  validation {
    condition     = var.artifact_path == null ? true : endswith(var.artifact_path, ".zip")
    error_message = "artifact_path must point at the .zip that `make artifact` builds."
  }
}

variable "instance_type" {
  description = "EC2 instance type (x86_64: the artifact ships manylinux x86_64 wheels)."
  type        = string
  default     = "t3.small"

  validation {
    condition     = can(regex("^[a-z][a-z0-9-]*\\.[a-z0-9]+$", var.instance_type))
    error_message = "instance_type must look like t3.small."
  }
}

variable "ami_id" {
  description = "The pinned Amazon Linux 2023 (x86_64) AMI the instances boot; a new ID rolls the group. Updated deliberately, never looked up as \"latest\" (docs/serverful.md). null only for `terraform destroy`."
  type        = string
  default     = null

  validation {
    condition     = var.ami_id == null ? true : can(regex("^ami-([0-9a-f]{8}|[0-9a-f]{17})$", var.ami_id))
    error_message = "ami_id must be an AMI ID (ami- and 8 or 17 hex digits)."
  }
}

variable "permissions_boundary_arn" {
  description = "IAM policy set as the permissions boundary of the instance role (null: none)."
  type        = string
  default     = null

  validation {
    condition     = var.permissions_boundary_arn == null ? true : can(regex("^arn:aws[a-z-]*:iam::[0-9]{12}:policy/.+$", var.permissions_boundary_arn))
    error_message = "permissions_boundary_arn must be an IAM policy ARN or null."
  }
}

variable "ready_timeout_seconds" {
  description = "How long a booting instance may take to answer GET /ready with 200 (install included) before it is abandoned and replaced."
  type        = number
  default     = 600

  validation {
    condition     = var.ready_timeout_seconds >= 60 && var.ready_timeout_seconds <= 3600
    error_message = "ready_timeout_seconds must be between 60 and 3600."
  }
}

variable "root_volume_size_gb" {
  description = "Size of the encrypted gp3 root volume, in GiB."
  type        = number
  default     = 10

  validation {
    condition     = var.root_volume_size_gb >= 8 && var.root_volume_size_gb <= 100
    error_message = "root_volume_size_gb must be between 8 and 100."
  }
}

variable "app_port" {
  description = "Port the server binds on the instances (SERVER_BIND=0.0.0.0:<port>)."
  type        = number
  default     = 8080

  validation {
    condition     = var.app_port > 1024 && var.app_port < 65536
    error_message = "app_port must be an unprivileged port (1025-65535): the server runs as a non-root user."
  }
}

variable "alb_security_group_id" {
  description = "Security group of the load balancer; the only source the instances admit."
  type        = string

  validation {
    condition     = can(regex("^sg-[0-9a-z]+$", var.alb_security_group_id))
    error_message = "alb_security_group_id must be a security group ID (sg-...)."
  }
}

variable "target_group_arn" {
  description = "Target group the Auto Scaling group registers its instances in."
  type        = string

  validation {
    condition     = can(regex("^arn:aws[a-z-]*:elasticloadbalancing:", var.target_group_arn))
    error_message = "target_group_arn must be an Elastic Load Balancing target group ARN."
  }
}

variable "table_name" {
  description = "DynamoDB table name handed to the app as TABLE_NAME."
  type        = string

  validation {
    condition     = can(regex("^[a-zA-Z0-9_.-]{3,255}$", var.table_name))
    error_message = "table_name must be a DynamoDB table name."
  }
}

variable "table_arn" {
  description = "ARN of the DynamoDB table; the instance role may use this table and its indexes only."
  type        = string

  validation {
    condition     = can(regex("^arn:aws[a-z-]*:dynamodb:[a-z0-9-]+:[0-9]{12}:table/", var.table_arn))
    error_message = "table_arn must be a DynamoDB table ARN."
  }
}

variable "user_pool_id" {
  description = "Cognito user pool ID handed to the app (COGNITO_USER_POOL_ID)."
  type        = string

  validation {
    condition     = can(regex("^[a-z]{2}(-[a-z]+)+-[0-9]_[A-Za-z0-9]+$", var.user_pool_id))
    error_message = "user_pool_id must be a Cognito user pool ID (<region>_<id>)."
  }
}

variable "user_pool_client_id" {
  description = "Cognito app client ID handed to the app (COGNITO_APP_CLIENT_ID)."
  type        = string

  validation {
    condition     = can(regex("^[a-z0-9]+$", var.user_pool_client_id))
    error_message = "user_pool_client_id must be a Cognito app client ID."
  }
}

variable "public_api_origin" {
  description = "URL clients call the API at (PUBLIC_API_ORIGIN): the app builds absolute URLs from it, not from the ALB's Host header."
  type        = string

  validation {
    condition     = can(regex("^https?://[^/]+(/[^/]+)?$", var.public_api_origin))
    error_message = "public_api_origin must be scheme://host, optionally with a /stage path."
  }
}

variable "cors_origins" {
  description = "Web origins the app allows (CORS_ORIGINS)."
  type        = list(string)
  default     = []

  validation {
    condition     = alltrue([for o in var.cors_origins : can(regex("^https?://[^/]+$", o))])
    error_message = "Each CORS origin must be scheme://host[:port] with no path."
  }
}

variable "min_size" {
  description = "Minimum number of instances."
  type        = number
  default     = 2

  validation {
    condition     = var.min_size >= 1
    error_message = "min_size must be at least 1."
  }
}

variable "max_size" {
  description = "Maximum number of instances."
  type        = number
  default     = 4

  validation {
    condition     = var.max_size >= 1 && var.max_size <= 20
    error_message = "max_size must be between 1 and 20."
  }
}

variable "cpu_target_percent" {
  description = "Average CPU utilisation the target-tracking policy keeps the group at."
  type        = number
  default     = 50

  validation {
    condition     = var.cpu_target_percent >= 10 && var.cpu_target_percent <= 90
    error_message = "cpu_target_percent must be between 10 and 90."
  }
}

variable "wait_for_capacity_timeout" {
  description = "How long `terraform apply` waits for healthy instances (\"0\" does not wait)."
  type        = string
  default     = "15m"

  validation {
    condition     = can(regex("^[0-9]+[smh]?$", var.wait_for_capacity_timeout))
    error_message = "wait_for_capacity_timeout must be a duration such as 10m, or 0."
  }
}

variable "app_log_group_name" {
  description = "Log group the CloudWatch agent ships the app's output (logs and EMF metrics) to."
  type        = string

  validation {
    condition     = can(regex("^[.\\-_/#A-Za-z0-9]{1,512}$", var.app_log_group_name))
    error_message = "app_log_group_name must be a CloudWatch Logs group name."
  }
}

variable "app_log_group_arn" {
  description = "ARN of that log group; the instance role may write to its streams and nothing else in CloudWatch."
  type        = string

  validation {
    condition     = can(regex("^arn:aws[a-z-]*:logs:[a-z0-9-]+:[0-9]{12}:log-group:[^*]+$", var.app_log_group_arn))
    error_message = "app_log_group_arn must be a log group ARN without the :* suffix."
  }
}
