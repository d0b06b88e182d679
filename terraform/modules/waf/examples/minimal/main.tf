# Minimal use of the waf module: rate limits per token and per client IP on an ALB.

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

module "waf" {
  source = "../.."

  name         = "todo-example"
  resource_arn = "arn:aws:elasticloadbalancing:us-east-1:123456789012:loadbalancer/app/todo-example-alb/0123456789abcdef"
}

output "web_acl_arn" {
  value = module.waf.web_acl_arn
}
