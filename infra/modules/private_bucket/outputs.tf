output "id" {
  description = "Name of the bucket."
  value       = aws_s3_bucket.this.id
}

output "arn" {
  description = "ARN of the bucket."
  value       = aws_s3_bucket.this.arn
}

output "regional_domain_name" {
  description = "Regional domain name of the bucket (a CloudFront origin)."
  value       = aws_s3_bucket.this.bucket_regional_domain_name
}

output "encrypted_bucket_id" {
  description = "Name of the bucket, known only once its default encryption is set: upload through this so no object is written before it."
  value       = aws_s3_bucket_server_side_encryption_configuration.this.bucket
}
