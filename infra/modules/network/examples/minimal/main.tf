# Minimal use of the network module: a VPC over two zones, private subnets behind one
# NAT gateway.
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

module "network" {
  source = "../.."

  name = "todo-example"
}

output "private_subnet_ids" {
  value = module.network.private_subnet_ids
}
