# The foundation's outputs: the EC2 root reads them through terraform_remote_state
# (infra/serverful/persistent.tf); the serverless stack gets them as parameters
# (tools/deploy_serverless.py, FOUNDATION_PARAMETERS).

output "region" {
  description = "AWS region of the stack."
  value       = var.region
}

output "table_name" {
  description = "DynamoDB table name."
  value       = module.data.table_name
}

output "table_arn" {
  description = "DynamoDB table ARN (its indexes are <arn>/index/*)."
  value       = module.data.table_arn
}

output "user_pool_id" {
  description = "Cognito user pool ID."
  value       = module.auth.user_pool_id
}

output "user_pool_arn" {
  description = "Cognito user pool ARN."
  value       = module.auth.user_pool_arn
}

output "user_pool_client_id" {
  description = "Cognito app client ID (the JWT audience)."
  value       = module.auth.user_pool_client_id
}

output "issuer" {
  description = "Cognito token issuer."
  value       = module.auth.issuer
}

output "web_url" {
  description = "The front door: the web app, and the API on the same origin (PUBLIC_API_ORIGIN)."
  value       = module.frontend.web_url
}

output "web_bucket" {
  description = "Bucket the web app is synced to."
  value       = module.frontend.bucket_name
}

output "distribution_id" {
  description = "CloudFront distribution ID."
  value       = module.frontend.distribution_id
}

output "alarm_topic_arn" {
  description = "SNS topic every alarm of either architecture notifies."
  value       = module.alarm_topic.alarm_topic_arn
}

output "backend" {
  description = "The backend the front door routes the API to (null: none): read back by the deploy scripts, so an apply never moves it by accident."
  value       = var.backend
}
