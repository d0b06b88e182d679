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
