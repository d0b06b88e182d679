# Minimal use of the monitoring module: alarms, the alarm topic, the dashboard and the
# app log group of an existing serverful stack (its HTTP API, ALB, group and table).

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

module "monitoring" {
  source = "../.."

  name                   = "todo-example"
  api_id                 = "abc123"
  alb_arn                = "arn:aws:elasticloadbalancing:us-east-1:123456789012:loadbalancer/app/todo-example-alb/0123456789abcdef"
  target_group_arn       = "arn:aws:elasticloadbalancing:us-east-1:123456789012:targetgroup/todo-example-app/0123456789abcdef"
  autoscaling_group_name = "todo-example-app"
  min_size               = 2
  table_name             = "todo-example-todos"
  alarm_topic_arn        = "arn:aws:sns:us-east-1:123456789012:todo-example-alarms"
}

output "dashboard_url" {
  value = module.monitoring.dashboard_url
}
