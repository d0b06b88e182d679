# Shared by both roots (infra/foundation and infra/serverful link to this file as
# stack.tf): the stack's identity, the AWS provider, and the local rehearsal's endpoint.

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

variable "local_endpoint" {
  description = "Local rehearsal only: URL of a moto server that every AWS API is sent to. Leave null on AWS."
  type        = string
  default     = null

  validation {
    condition     = var.local_endpoint == null || can(regex("^http://(127\\.0\\.0\\.1|localhost):[0-9]+$", var.local_endpoint))
    error_message = "local_endpoint must be http://127.0.0.1:<port> (a local moto server) or null."
  }
}

locals {
  # Set only for the local rehearsal: every AWS API goes to one moto server.
  is_local = var.local_endpoint != null
}

provider "aws" {
  region = var.region

  # Fake credentials are fine against moto; never skip these checks on AWS.
  skip_credentials_validation = local.is_local
  skip_metadata_api_check     = local.is_local
  skip_region_validation      = local.is_local
  s3_use_path_style           = local.is_local

  endpoints {
    apigatewayv2   = var.local_endpoint
    autoscaling    = var.local_endpoint
    cloudfront     = var.local_endpoint
    cloudwatch     = var.local_endpoint
    cloudwatchlogs = var.local_endpoint
    cognitoidp     = var.local_endpoint
    dynamodb       = var.local_endpoint
    ec2            = var.local_endpoint
    elbv2          = var.local_endpoint
    iam            = var.local_endpoint
    kms            = var.local_endpoint
    s3             = var.local_endpoint
    sns            = var.local_endpoint
    sts            = var.local_endpoint
    wafv2          = var.local_endpoint
  }

  default_tags {
    tags = {
      Project   = "todo"
      Stack     = var.name
      Flavor    = "serverful"
      Root      = local.root_name
      ManagedBy = "terraform"
    }
  }
}
