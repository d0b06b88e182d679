output "autoscaling_group_name" {
  description = "Name of the Auto Scaling group."
  value       = aws_autoscaling_group.app.name
}

output "launch_template_id" {
  description = "ID of the launch template."
  value       = aws_launch_template.app.id
}

output "instance_security_group_id" {
  description = "Security group of the app instances."
  value       = aws_security_group.instance.id
}

output "instance_role_arn" {
  description = "ARN of the instances' IAM role."
  value       = aws_iam_role.instance.arn
}

output "artifact_bucket" {
  description = "S3 bucket holding the app artifacts."
  value       = module.artifacts.id
}

output "artifact_key" {
  description = "S3 key of the artifact the instances run (releases/<sha256>.zip)."
  value       = aws_s3_object.artifact.key
}

output "user_data" {
  description = "The rendered user data script (checked with bash -n by the tests)."
  value       = local.user_data
}

output "subnet_ids" {
  description = "Subnets the Auto Scaling group launches instances in."
  value       = aws_autoscaling_group.app.vpc_zone_identifier
}

output "instance_role_boundary" {
  description = "Permissions boundary of the instance role (null: none)."
  value       = aws_iam_role.instance.permissions_boundary
}

output "cloudwatch_agent_config" {
  description = "The CloudWatch agent's configuration the user data installs (checked by the tests)."
  value       = local.cloudwatch_agent_config
}

output "instance_policy" {
  description = "The instance role's policy document (checked by the tests)."
  value       = data.aws_iam_policy_document.instance.json
}
