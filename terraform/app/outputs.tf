# The deploy script turns these into .deploy/serverful-outputs.json for scripts/deploy_web.py.

output "region" {
  description = "AWS region of the stack."
  value       = var.region
}

output "api_url" {
  description = "Base URL of the API."
  value       = module.api.api_url
}

output "web_url" {
  description = "HTTPS URL of the web app."
  value       = module.frontend.web_url
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
  value       = module.frontend.bucket_name
}

output "distribution_id" {
  description = "CloudFront distribution ID."
  value       = module.frontend.distribution_id
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
  description = "SNS topic every alarm notifies."
  value       = module.monitoring.alarm_topic_arn
}

output "log_group" {
  description = "Log group of the app's output (one stream per instance); `make logs` tails it."
  value       = module.monitoring.app_log_group_name
}
