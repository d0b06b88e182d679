output "web_acl_arn" {
  description = "ARN of the web ACL."
  value       = aws_wafv2_web_acl.this.arn
}

output "protected_resource_arn" {
  description = "ARN of the resource the web ACL is associated with."
  value       = aws_wafv2_web_acl_association.this.resource_arn
}
