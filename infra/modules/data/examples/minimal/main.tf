# Minimal use of the data module: the todo table (PITR, encryption, deletion protection).

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

module "data" {
  source = "../.."

  table_name = "todo-example-todos"
}

output "table_arn" {
  value = module.data.table_arn
}
