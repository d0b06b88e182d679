output "alarm_names" {
  description = "Names of the stack's alarms, by key."
  value       = { for key, alarm in local.alarm_names : key => alarm }
}

output "dashboard_name" {
  description = "Name of the stack's CloudWatch dashboard."
  value       = aws_cloudwatch_dashboard.this.dashboard_name
}

output "dashboard_url" {
  description = "Console URL of the stack's dashboard."
  value       = "https://${data.aws_region.current.name}.console.aws.amazon.com/cloudwatch/home?region=${data.aws_region.current.name}#dashboards:name=${aws_cloudwatch_dashboard.this.dashboard_name}"
}

output "app_log_group_name" {
  description = "Log group the CloudWatch agent ships the app's output to."
  value       = aws_cloudwatch_log_group.app.name
}

output "app_log_group_arn" {
  description = "ARN of the app log group (without the :* suffix)."
  value       = aws_cloudwatch_log_group.app.arn
}

output "dashboard_body" {
  description = "The dashboard's JSON (checked by the tests)."
  value       = aws_cloudwatch_dashboard.this.dashboard_body
}
