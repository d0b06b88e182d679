# Minimal use of the alarm_topic module: the encrypted topic, emailing one address.

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

module "alarm_topic" {
  source = "../.."

  name        = "todo-example"
  alarm_email = "ops@example.com"
}

output "alarm_topic_arn" {
  value = module.alarm_topic.alarm_topic_arn
}
