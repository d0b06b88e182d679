output "bucket_name" {
  description = "Name of the private bucket the built web app is synced to."
  value       = module.bucket.id
}

output "distribution_id" {
  description = "ID of the CloudFront distribution (for invalidations)."
  value       = aws_cloudfront_distribution.web.id
}

output "domain_name" {
  description = "CloudFront domain name of the web app."
  value       = aws_cloudfront_distribution.web.domain_name
}

output "web_url" {
  description = "HTTPS URL of the web app (also its CORS origin)."
  value       = "https://${aws_cloudfront_distribution.web.domain_name}"
}

output "api_origin" {
  description = "The API origin the API paths go to (null: none)."
  value       = var.api_origin
}

output "web_acl_arn" {
  description = "The WAF web ACL on the distribution (null: none)."
  value       = var.web_acl_arn
}
