# Minimal use of the api module: the HTTP API in front of an existing internal ALB
# listener, trusting an existing Cognito user pool and app client.
terraform {
  required_version = ">= 1.5"

  required_providers {
    aws = {
      source  = "hashicorp/aws"
      version = "~> 5.100"
    }
  }
}

provider "aws" {
  region = "us-east-1"
}

module "api" {
  source = "../.."

  name                        = "todo-example"
  subnet_ids                  = ["subnet-0123456789abcdef0", "subnet-0fedcba9876543210"]
  vpc_link_security_group_ids = ["sg-0123456789abcdef0"]
  listener_arn                = "arn:aws:elasticloadbalancing:us-east-1:123456789012:listener/app/todo-example-alb/0123456789abcdef/0123456789abcdef"
  jwt_issuer                  = "https://cognito-idp.us-east-1.amazonaws.com/us-east-1_Example1"
  jwt_audience                = ["exampleclientid0123456789"]
  cors_origins                = ["https://d111111abcdef8.cloudfront.net"]
}

output "api_url" {
  value = module.api.api_url
}
