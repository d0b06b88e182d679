# The app root reads these through terraform_remote_state (terraform/app/persistent.tf).

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
