# Minimal use of the frontend module: a private bucket behind CloudFront for a
# single-page app and its API (a REST API stage) on one origin, and Cognito.
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

module "frontend" {
  source = "../.."

  name                = "todo-example"
  csp_connect_sources = ["https://cognito-idp.us-east-1.amazonaws.com"]
  api_origin          = { domain_name = "abc123.execute-api.us-east-1.amazonaws.com", origin_path = "/api" }
}

output "web_url" {
  value = module.frontend.web_url
}
