locals {
  # Set only for the local rehearsal: every AWS API goes to one moto server.
  local_endpoint = var.local_endpoint
  is_local       = var.local_endpoint != null
}

provider "aws" {
  region = var.region

  # Fake credentials are fine against moto; never skip these checks on AWS.
  skip_credentials_validation = local.is_local
  skip_metadata_api_check     = local.is_local
  skip_region_validation      = local.is_local
  s3_use_path_style           = local.is_local

  endpoints {
    apigatewayv2   = local.local_endpoint
    autoscaling    = local.local_endpoint
    cloudfront     = local.local_endpoint
    cloudwatch     = local.local_endpoint
    cloudwatchlogs = local.local_endpoint
    cognitoidp     = local.local_endpoint
    dynamodb       = local.local_endpoint
    ec2            = local.local_endpoint
    elbv2          = local.local_endpoint
    iam            = local.local_endpoint
    kms            = local.local_endpoint
    s3             = local.local_endpoint
    sns            = local.local_endpoint
    ssm            = local.local_endpoint
    sts            = local.local_endpoint
  }

  default_tags {
    tags = {
      Project   = "todo"
      Stack     = var.name
      Flavor    = "serverful"
      ManagedBy = "terraform"
    }
  }
}
