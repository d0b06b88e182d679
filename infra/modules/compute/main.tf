data "aws_region" "current" {}
data "aws_partition" "current" {}
data "aws_caller_identity" "current" {}

locals {
  # Only `terraform destroy` runs without an artifact: the artifact object's
  # precondition refuses any plan that would create or update the app without one.
  artifact_sha256 = var.artifact_path == null ? "" : filesha256(var.artifact_path)
  # Content-addressed key: a new build is a new object, a new launch template
  # version, and so an instance refresh.
  artifact_key = "releases/${local.artifact_sha256}.zip"

  # A fixed name: the user data and the instance role name the group (no cycle).
  autoscaling_group_name = "${var.name}-app"
  launch_hook_name       = "app-ready"

  # The CloudWatch agent ships gunicorn's output (the app's JSON log lines and EMF
  # metrics documents; CloudWatch Logs extracts the metrics, so the agent needs no
  # cloudwatch:PutMetricData) and the bootstrap log, one stream per instance. The
  # group and its retention are Terraform's (the monitoring module).
  app_log_file = "/var/log/todo/app.log"
  cloudwatch_agent_config = jsonencode({
    agent = { region = data.aws_region.current.name, logfile = "/opt/aws/amazon-cloudwatch-agent/logs/amazon-cloudwatch-agent.log" }
    logs = {
      logs_collected = {
        files = {
          collect_list = [
            { file_path = local.app_log_file, log_group_name = var.app_log_group_name, log_stream_name = "{instance_id}", timezone = "UTC" },
            { file_path = "/var/log/todo-bootstrap.log", log_group_name = var.app_log_group_name, log_stream_name = "{instance_id}/bootstrap", timezone = "UTC" },
          ]
        }
      }
    }
  })

  user_data = templatefile("${path.module}/templates/user_data.sh.tftpl", {
    region              = data.aws_region.current.name
    artifact_bucket     = module.artifacts.id
    artifact_key        = local.artifact_key
    artifact_sha256     = local.artifact_sha256
    install_script      = file("${path.module}/templates/install_app.sh")
    table_name          = var.table_name
    user_pool_id        = var.user_pool_id
    user_pool_client_id = var.user_pool_client_id
    cors_origins        = join(",", var.cors_origins)
    public_api_origin   = var.public_api_origin
    app_port            = var.app_port
    service_name        = var.name
    app_log_file        = local.app_log_file
    cloudwatch_agent    = local.cloudwatch_agent_config

    autoscaling_group_name = local.autoscaling_group_name
    launch_hook_name       = local.launch_hook_name
    ready_timeout_seconds  = var.ready_timeout_seconds
  })
}

# ---------------------------------------------------------------- artifact bucket

module "artifacts" {
  source = "../private_bucket"

  name_prefix = "${var.name}-artifacts-"
  # Only build outputs live here; they can always be rebuilt.
  force_destroy = true
  # After the first upload: moto (the local rehearsal) ignores the policy's
  # SecureTransport condition and would deny the upload. No difference on AWS.
  policy_waits_for = [aws_s3_object.artifact.key]
}

resource "aws_s3_object" "artifact" {
  bucket      = module.artifacts.encrypted_bucket_id
  key         = local.artifact_key
  source      = var.artifact_path
  source_hash = local.artifact_sha256

  lifecycle {
    precondition {
      condition     = var.artifact_path != null
      error_message = "artifact_path is required to deploy: build it with `make artifact`."
    }
  }
}

# ------------------------------------------------------------------ instance role

data "aws_iam_policy_document" "assume_ec2" {
  statement {
    actions = ["sts:AssumeRole"]
    principals {
      type        = "Service"
      identifiers = ["ec2.amazonaws.com"]
    }
  }
}

# Least privilege: the app's DynamoDB actions on its table, the one artifact object,
# completing its own group's launch hook, the CloudWatch agent's writes to the app log
# group, and what the SSM agent needs for Session Manager (those ssmmessages actions
# do not support resource-level permissions).
data "aws_iam_policy_document" "instance" {
  statement {
    sid = "TodoTable"
    actions = [
      "dynamodb:GetItem",
      "dynamodb:PutItem",
      "dynamodb:UpdateItem",
      "dynamodb:DeleteItem",
      "dynamodb:Query",
      "dynamodb:BatchWriteItem",
    ]
    resources = [var.table_arn, "${var.table_arn}/index/*"]
  }

  statement {
    sid       = "AppArtifact"
    actions   = ["s3:GetObject"]
    resources = ["${module.artifacts.arn}/${local.artifact_key}"]
  }

  statement {
    sid       = "CompleteLaunchHook"
    actions   = ["autoscaling:CompleteLifecycleAction"]
    resources = ["arn:${data.aws_partition.current.partition}:autoscaling:${data.aws_region.current.name}:${data.aws_caller_identity.current.account_id}:autoScalingGroup:*:autoScalingGroupName/${local.autoscaling_group_name}"]
  }

  # The agent creates its streams and writes events in the one group; Terraform
  # made the group and owns its retention.
  statement {
    sid       = "AppLogs"
    actions   = ["logs:CreateLogStream", "logs:PutLogEvents", "logs:DescribeLogStreams"]
    resources = ["${var.app_log_group_arn}:*"]
  }

  statement {
    sid       = "SessionManagerRegistration"
    actions   = ["ssm:UpdateInstanceInformation"]
    resources = ["arn:${data.aws_partition.current.partition}:ec2:${data.aws_region.current.name}:${data.aws_caller_identity.current.account_id}:instance/*"]
  }

  statement {
    sid = "SessionManagerChannels"
    actions = [
      "ssmmessages:CreateControlChannel",
      "ssmmessages:CreateDataChannel",
      "ssmmessages:OpenControlChannel",
      "ssmmessages:OpenDataChannel",
    ]
    resources = ["*"]
  }
}

resource "aws_iam_role" "instance" {
  name_prefix          = "${var.name}-app-"
  assume_role_policy   = data.aws_iam_policy_document.assume_ec2.json
  permissions_boundary = var.permissions_boundary_arn
}

resource "aws_iam_role_policy" "instance" {
  name   = "todo-app"
  role   = aws_iam_role.instance.id
  policy = data.aws_iam_policy_document.instance.json
}

resource "aws_iam_instance_profile" "instance" {
  name_prefix = "${var.name}-app-"
  role        = aws_iam_role.instance.name
}

# ---------------------------------------------------------------- security groups

resource "aws_security_group" "instance" {
  name_prefix = "${var.name}-app-"
  description = "App instances: admit the ALB only"
  vpc_id      = var.vpc_id

  tags = { Name = "${var.name}-app" }

  lifecycle {
    create_before_destroy = true
  }
}

resource "aws_vpc_security_group_ingress_rule" "instance_from_alb" {
  security_group_id            = aws_security_group.instance.id
  description                  = "gunicorn, from the load balancer only"
  ip_protocol                  = "tcp"
  from_port                    = var.app_port
  to_port                      = var.app_port
  referenced_security_group_id = var.alb_security_group_id
}

# HTTPS out for the AWS APIs (S3, DynamoDB via its gateway endpoint, SSM, Cognito's
# JWKS); through the NAT gateway, since the subnets are private.
resource "aws_vpc_security_group_egress_rule" "instance_https" {
  security_group_id = aws_security_group.instance.id
  description       = "HTTPS to AWS APIs"
  ip_protocol       = "tcp"
  from_port         = 443
  to_port           = 443
  cidr_ipv4         = "0.0.0.0/0"
}

# The load balancer's one egress rule lives here: it needs this module's group.
resource "aws_vpc_security_group_egress_rule" "alb_to_instance" {
  security_group_id            = var.alb_security_group_id
  description                  = "ALB to gunicorn on the instances"
  ip_protocol                  = "tcp"
  from_port                    = var.app_port
  to_port                      = var.app_port
  referenced_security_group_id = aws_security_group.instance.id
}

# ------------------------------------------------------- launch template and group

resource "aws_launch_template" "app" {
  name_prefix            = "${var.name}-app-"
  image_id               = var.ami_id
  instance_type          = var.instance_type
  update_default_version = true
  user_data              = base64encode(local.user_data)
  vpc_security_group_ids = [aws_security_group.instance.id]
  ebs_optimized          = true

  iam_instance_profile {
    arn = aws_iam_instance_profile.instance.arn
  }

  metadata_options {
    http_endpoint               = "enabled"
    http_tokens                 = "required"
    http_put_response_hop_limit = 1
    instance_metadata_tags      = "disabled"
  }

  block_device_mappings {
    device_name = "/dev/xvda"
    ebs {
      volume_size           = var.root_volume_size_gb
      volume_type           = "gp3"
      encrypted             = true
      delete_on_termination = true
    }
  }

  monitoring {
    enabled = true
  }

  tag_specifications {
    resource_type = "instance"
    tags          = { Name = "${var.name}-app" }
  }

  tag_specifications {
    resource_type = "volume"
    tags          = { Name = "${var.name}-app" }
  }

  # The role must be able to read the artifact before an instance boots.
  depends_on = [aws_s3_object.artifact, aws_iam_role_policy.instance]

  lifecycle {
    precondition {
      condition     = var.ami_id != null
      error_message = "ami_id is required to deploy: pin an Amazon Linux 2023 AMI (AMI_ID, docs/serverful.md)."
    }
  }
}

resource "aws_autoscaling_group" "app" {
  name                      = local.autoscaling_group_name
  vpc_zone_identifier       = var.subnet_ids
  min_size                  = var.min_size
  max_size                  = var.max_size
  target_group_arns         = [var.target_group_arn]
  health_check_type         = "ELB"
  health_check_grace_period = 300
  default_instance_warmup   = 120
  wait_for_capacity_timeout = var.wait_for_capacity_timeout
  # For the monitoring module's "in service below minimum" alarm and dashboard.
  enabled_metrics     = ["GroupInServiceInstances", "GroupDesiredCapacity", "GroupMinSize", "GroupMaxSize"]
  metrics_granularity = "1Minute"

  launch_template {
    id      = aws_launch_template.app.id
    version = aws_launch_template.app.latest_version
  }

  # A new instance joins the target group only once its user data has seen GET /ready
  # answer 200 and completed this hook with CONTINUE; a boot that fails (or never gets
  # ready) ends in ABANDON, and the instance is replaced.
  initial_lifecycle_hook {
    name                 = local.launch_hook_name
    lifecycle_transition = "autoscaling:EC2_INSTANCE_LAUNCHING"
    default_result       = "ABANDON"
    # The user data gives up after ready_timeout_seconds; the margin covers the OS boot.
    heartbeat_timeout = var.ready_timeout_seconds + 120
  }

  # A new launch template version (new artifact, AMI or settings) rolls the group.
  # Numbered versions and an AMI ID (not an SSM alias) make auto rollback possible:
  # a refresh whose new instances do not become healthy restores the previous version.
  instance_refresh {
    strategy = "Rolling"
    preferences {
      min_healthy_percentage = 50
      instance_warmup        = 120
      auto_rollback          = true
    }
  }

  tag {
    key                 = "Name"
    value               = "${var.name}-app"
    propagate_at_launch = true
  }

  lifecycle {
    precondition {
      condition     = var.min_size <= var.max_size
      error_message = "min_size must not exceed max_size."
    }
  }
}

resource "aws_autoscaling_policy" "cpu" {
  name                   = "${var.name}-cpu-target"
  autoscaling_group_name = aws_autoscaling_group.app.name
  policy_type            = "TargetTrackingScaling"

  target_tracking_configuration {
    target_value = var.cpu_target_percent
    predefined_metric_specification {
      predefined_metric_type = "ASGAverageCPUUtilization"
    }
  }
}
