# Minimal use of the waf module: rate limits per token and per client IP for a
# CloudFront distribution (a CLOUDFRONT-scope ACL: its provider is in us-east-1).

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

  name = "todo-example"
}

output "web_acl_arn" {
  value = module.waf.web_acl_arn
}
