output "user_pool_id" {
  description = "ID of the Cognito user pool."
  value       = aws_cognito_user_pool.this.id
}

output "user_pool_arn" {
  description = "ARN of the Cognito user pool."
  value       = aws_cognito_user_pool.this.arn
}

output "user_pool_client_id" {
  description = "ID of the public web app client (the JWT audience)."
  value       = aws_cognito_user_pool_client.web.id
}

output "issuer" {
  description = "Token issuer URL: https://cognito-idp.<region>.amazonaws.com/<pool id>."
  value       = "https://cognito-idp.${data.aws_region.current.name}.amazonaws.com/${aws_cognito_user_pool.this.id}"
}

output "deletion_protection" {
  description = "Whether the user pool's deletion protection is on."
  value       = aws_cognito_user_pool.this.deletion_protection == "ACTIVE"
}
