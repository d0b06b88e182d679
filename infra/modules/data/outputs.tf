output "table_name" {
  description = "Name of the DynamoDB table."
  value       = aws_dynamodb_table.this.name
}

output "table_arn" {
  description = "ARN of the DynamoDB table (its indexes are <arn>/index/*)."
  value       = aws_dynamodb_table.this.arn
}

output "deletion_protection" {
  description = "Whether DynamoDB deletion protection is on."
  value       = aws_dynamodb_table.this.deletion_protection_enabled
}
