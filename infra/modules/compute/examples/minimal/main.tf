# Minimal use of the compute module: app instances behind an existing ALB target group,
# running the artifact of `make artifact` on a pinned AMI.
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

module "compute" {
  source = "../.."

  name                  = "todo-example"
  artifact_path         = "${path.module}/../../tests/fixtures/artifact.zip"
  ami_id                = "ami-0123456789abcdef0"
  vpc_id                = "vpc-0123456789abcdef0"
  subnet_ids            = ["subnet-0123456789abcdef0", "subnet-0fedcba9876543210"]
  alb_security_group_id = "sg-0123456789abcdef0"
  target_group_arn      = "arn:aws:elasticloadbalancing:us-east-1:123456789012:targetgroup/app-example/0123456789abcdef"
  table_name            = "todo-example-todos"
  table_arn             = "arn:aws:dynamodb:us-east-1:123456789012:table/todo-example-todos"
  user_pool_id          = "us-east-1_Example1"
  user_pool_client_id   = "exampleclientid0123456789"
  public_api_origin     = "https://abc123.execute-api.us-east-1.amazonaws.com"
  app_log_group_name    = "/todo/todo-example/app"
  app_log_group_arn     = "arn:aws:logs:us-east-1:123456789012:log-group:/todo/todo-example/app"
}

output "autoscaling_group_name" {
  value = module.compute.autoscaling_group_name
}
