# Minimal use of the alb module: an internal ALB in two private subnets of an existing VPC.

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

module "alb" {
  source = "../.."

  name       = "todo-example"
  vpc_id     = "vpc-0123456789abcdef0"
  subnet_ids = ["subnet-0123456789abcdef0", "subnet-0fedcba9876543210"]
}

output "listener_arn" {
  value = module.alb.listener_arn
}
