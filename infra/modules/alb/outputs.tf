output "alb_arn" {
  description = "ARN of the internal application load balancer."
  value       = aws_lb.this.arn
}

output "alb_dns_name" {
  description = "Private DNS name of the internal load balancer."
  value       = aws_lb.this.dns_name
}

output "listener_arn" {
  description = "ARN of the HTTP listener (the API Gateway integration target)."
  value       = aws_lb_listener.http.arn
}

output "target_group_arn" {
  description = "ARN of the target group the Auto Scaling group registers instances in."
  value       = aws_lb_target_group.app.arn
}

output "security_group_id" {
  description = "Security group of the load balancer (instances admit only this group)."
  value       = aws_security_group.alb.id
}

output "client_security_group_id" {
  description = "Security group to give the VPC Link: the only group the load balancer admits."
  value       = aws_security_group.client.id
}

output "internal" {
  description = "Whether the load balancer is internal (always true)."
  value       = aws_lb.this.internal
}
