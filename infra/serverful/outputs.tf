# The deploy script turns these into .deploy/serverful-outputs.json for tools/deploy_web.py.

output "region" {
  description = "AWS region of the stack."
  value       = var.region
}

output "api_url" {
  description = "The HTTP API's own URL (the front door routes to it; `make switch` checks /ready here first)."
  value       = module.api.api_url
}

output "api_origin" {
  description = "What the foundation's front door routes the API paths to (its backend variable)."
  value = {
    architecture = "serverful"
    domain_name  = trimprefix(module.api.api_url, "https://")
    origin_path  = ""
  }
}

output "web_url" {
  description = "The front door (the foundation's): the web app and, on the same origin, the API."
  value       = local.front_door
}

output "user_pool_id" {
  description = "Cognito user pool ID."
  value       = local.persistent.user_pool_id
}

output "user_pool_client_id" {
  description = "Cognito app client ID."
  value       = local.persistent.user_pool_client_id
}

output "issuer" {
  description = "Cognito token issuer."
  value       = local.persistent.issuer
}

output "web_bucket" {
  description = "Bucket the web app is synced to."
  value       = local.persistent.web_bucket
}

output "distribution_id" {
  description = "CloudFront distribution ID."
  value       = local.persistent.distribution_id
}

output "table_name" {
  description = "DynamoDB table name."
  value       = local.persistent.table_name
}

output "autoscaling_group_name" {
  description = "Auto Scaling group of the app instances."
  value       = module.compute.autoscaling_group_name
}

output "artifact_key" {
  description = "S3 key of the artifact the instances run."
  value       = module.compute.artifact_key
}

output "alb_dns_name" {
  description = "Private DNS name of the internal ALB."
  value       = module.alb.alb_dns_name
}

output "dashboard_url" {
  description = "The stack's CloudWatch dashboard."
  value       = module.monitoring.dashboard_url
}

output "alarm_topic_arn" {
  description = "SNS topic every alarm notifies (the foundation's)."
  value       = local.persistent.alarm_topic_arn
}

output "log_group" {
  description = "Log group of the app's output (one stream per instance); `make logs` tails it."
  value       = module.monitoring.app_log_group_name
}
