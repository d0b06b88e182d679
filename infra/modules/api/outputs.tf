output "api_id" {
  description = "ID of the HTTP API."
  value       = aws_apigatewayv2_api.this.id
}

output "api_url" {
  description = "Base URL of the API (the $default stage), without a trailing slash."
  value       = trimsuffix(aws_apigatewayv2_stage.default.invoke_url, "/")
}

output "authorizer_id" {
  description = "ID of the JWT authorizer."
  value       = aws_apigatewayv2_authorizer.cognito.id
}

output "vpc_link_id" {
  description = "ID of the VPC Link."
  value       = aws_apigatewayv2_vpc_link.this.id
}

output "access_log_group" {
  description = "CloudWatch log group of the access logs."
  value       = aws_cloudwatch_log_group.access.name
}

output "jwt_issuer" {
  description = "Issuer the JWT authorizer trusts (as deployed)."
  value       = aws_apigatewayv2_authorizer.cognito.jwt_configuration[0].issuer
}

output "route_authorization" {
  description = "Each route key and the authorization it requires (JWT or NONE)."
  value = merge(
    { for key, route in aws_apigatewayv2_route.todo : key => route.authorization_type },
    { for key, route in aws_apigatewayv2_route.public : key => route.authorization_type },
  )
}
