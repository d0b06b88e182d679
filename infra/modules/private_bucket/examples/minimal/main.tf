# Minimal use of the private_bucket module: private, encrypted (KMS), versioned, TLS-only.

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

module "bucket" {
  source = "../.."

  name_prefix = "todo-example-things-"
}

output "bucket" {
  value = module.bucket.id
}
