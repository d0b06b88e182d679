# Minimal use of the auth module: a user pool (sign-in with email, deletion
# protection on) and its public web client.
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

module "auth" {
  source = "../.."

  name = "todo-example"
}

output "issuer" {
  value = module.auth.issuer
}
