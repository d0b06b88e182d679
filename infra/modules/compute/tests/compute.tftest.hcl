# Plan-mode tests of the compute module's promises (mocked AWS provider: infra/tests/mocks).

mock_provider "aws" {
  override_during = plan
  source          = "../../tests/mocks"
}

variables {
  name          = "todo-test"
  artifact_path = "tests/fixtures/artifact.zip"
  ami_id        = "ami-0123456789abcdef0"

  vpc_id                = "vpc-0123456789abcdef0"
  subnet_ids            = ["subnet-private-a", "subnet-private-b"]
  alb_security_group_id = "sg-0a1b0a1b0a1b0a1b0"
  target_group_arn      = "arn:aws:elasticloadbalancing:us-east-1:123456789012:targetgroup/app/0123456789abcdef"
  table_name            = "todo-test-todos"
  table_arn             = "arn:aws:dynamodb:us-east-1:123456789012:table/todo-test-todos"
  user_pool_id          = "us-east-1_TestPool1"
  user_pool_client_id   = "testclientid0123456789"
  cors_origins          = ["https://d111111abcdef8.cloudfront.net"]
  public_api_origin     = "https://abc123.execute-api.us-east-1.amazonaws.com"
  app_log_group_name    = "/todo/todo-test/app"
  app_log_group_arn     = "arn:aws:logs:us-east-1:123456789012:log-group:/todo/todo-test/app"
}

run "compute_instances_are_locked_down" {
  command = plan

  assert {
    condition     = aws_launch_template.app.metadata_options[0].http_tokens == "required"
    error_message = "Instances must require IMDSv2 tokens."
  }

  assert {
    condition     = aws_launch_template.app.metadata_options[0].http_put_response_hop_limit == 1
    error_message = "IMDS answers must not leave the instance (hop limit 1)."
  }

  assert {
    condition     = aws_launch_template.app.key_name == null
    error_message = "Instances must have no SSH key (Session Manager only)."
  }

  assert {
    condition     = aws_launch_template.app.block_device_mappings[0].ebs[0].encrypted == "true"
    error_message = "The root volume must be encrypted."
  }

  assert {
    condition = (
      aws_vpc_security_group_ingress_rule.instance_from_alb.cidr_ipv4 == null &&
      aws_vpc_security_group_ingress_rule.instance_from_alb.cidr_ipv6 == null &&
      aws_vpc_security_group_ingress_rule.instance_from_alb.referenced_security_group_id == "sg-0a1b0a1b0a1b0a1b0"
    )
    error_message = "Instances must admit only the ALB's security group, never a CIDR such as 0.0.0.0/0."
  }

  assert {
    condition     = aws_autoscaling_group.app.vpc_zone_identifier == toset(["subnet-private-a", "subnet-private-b"])
    error_message = "The Auto Scaling group must use exactly the given private subnets."
  }

  assert {
    condition     = aws_autoscaling_group.app.health_check_type == "ELB"
    error_message = "The Auto Scaling group must use the load balancer's health checks."
  }

  assert {
    condition     = aws_s3_object.artifact.key == "releases/${filesha256("tests/fixtures/artifact.zip")}.zip"
    error_message = "The artifact's S3 key must be its SHA-256, so a new build rolls the instances."
  }

  assert {
    condition     = strcontains(local.user_data, filesha256("tests/fixtures/artifact.zip"))
    error_message = "The user data must check the artifact's SHA-256 (and so change with it)."
  }

  assert {
    condition     = strcontains(local.user_data, "User=todo") && strcontains(local.user_data, "SERVER_BIND=0.0.0.0:8080")
    error_message = "The server must run as the non-root user todo, on the ALB's target port."
  }

  assert {
    condition     = strcontains(local.user_data, "PUBLIC_API_ORIGIN=https://abc123.execute-api.us-east-1.amazonaws.com\n")
    error_message = "The app must build absolute URLs from the API's public origin."
  }
}

run "compute_rolls_out_safely" {
  command = plan

  assert {
    condition     = aws_launch_template.app.image_id == "ami-0123456789abcdef0"
    error_message = "Instances must boot the pinned AMI given in ami_id (no lookup of the latest)."
  }

  assert {
    condition     = aws_autoscaling_group.app.instance_refresh[0].preferences[0].auto_rollback == true
    error_message = "An instance refresh whose instances fail their health checks must roll back by itself."
  }

  assert {
    condition     = aws_autoscaling_group.app.launch_template[0].version == "3"
    error_message = "The group must use a numbered launch template version (auto rollback needs one)."
  }

  assert {
    condition = anytrue([
      for hook in aws_autoscaling_group.app.initial_lifecycle_hook :
      hook.name == "app-ready" && hook.lifecycle_transition == "autoscaling:EC2_INSTANCE_LAUNCHING" && hook.default_result == "ABANDON"
    ])
    error_message = "New instances must wait in a launch hook (abandoned unless completed) before joining the load balancer."
  }

  assert {
    condition = (
      strcontains(local.user_data, "http://127.0.0.1:8080/ready") &&
      strcontains(local.user_data, "--auto-scaling-group-name \"todo-test-app\" --lifecycle-hook-name \"app-ready\"") &&
      strcontains(local.user_data, "complete_launch CONTINUE")
    )
    error_message = "The user data must complete the launch hook only after GET /ready answered."
  }
}

run "compute_ships_the_app_output_with_the_cloudwatch_agent" {
  command = plan

  assert {
    condition     = toset([for entry in jsondecode(output.cloudwatch_agent_config).logs.logs_collected.files.collect_list : entry.log_group_name]) == toset(["/todo/todo-test/app"])
    error_message = "The CloudWatch agent must ship to the given app log group, and only there."
  }

  assert {
    condition     = contains([for entry in jsondecode(output.cloudwatch_agent_config).logs.logs_collected.files.collect_list : entry.file_path], "/var/log/todo/app.log")
    error_message = "The agent must ship gunicorn's output file."
  }

  assert {
    condition     = !can(jsondecode(output.cloudwatch_agent_config).metrics)
    error_message = "The agent publishes no metrics of its own (the app's EMF lines become metrics in CloudWatch Logs)."
  }

  assert {
    condition     = strcontains(local.user_data, "amazon-cloudwatch-agent-ctl -a fetch-config -m ec2 -s") && strcontains(local.user_data, "StandardOutput=append:/var/log/todo/app.log") && strcontains(local.user_data, "POWERTOOLS_SERVICE_NAME=todo-test\n")
    error_message = "The user data must install and start the agent, send gunicorn's output to the shipped file, and name the metrics' service after the stack."
  }

  # The statements are the data source's inputs, so the plan knows them despite the mock.
  assert {
    condition = [
      for statement in data.aws_iam_policy_document.instance.statement : {
        actions = statement.actions, resources = statement.resources
      } if anytrue([for action in statement.actions : startswith(action, "logs:")])
      ] == [{
        actions   = toset(["logs:CreateLogStream", "logs:PutLogEvents", "logs:DescribeLogStreams"])
        resources = toset(["arn:aws:logs:us-east-1:123456789012:log-group:/todo/todo-test/app:*"])
    }]
    error_message = "The instance role may create streams in and write to the app log group, and nothing else in CloudWatch Logs."
  }

  assert {
    condition     = !anytrue([for statement in data.aws_iam_policy_document.instance.statement : anytrue([for action in statement.actions : startswith(action, "cloudwatch:")])])
    error_message = "The instance role needs no cloudwatch:PutMetricData (EMF in the logs becomes metrics)."
  }

  assert {
    condition     = toset(aws_autoscaling_group.app.enabled_metrics) == toset(["GroupInServiceInstances", "GroupDesiredCapacity", "GroupMinSize", "GroupMaxSize"])
    error_message = "The group must publish the metrics the in-service alarm and the dashboard read."
  }
}

run "compute_roles_carry_the_permissions_boundary" {
  command = plan

  variables {
    permissions_boundary_arn = "arn:aws:iam::123456789012:policy/todo-boundary"
  }

  assert {
    condition     = aws_iam_role.instance.permissions_boundary == "arn:aws:iam::123456789012:policy/todo-boundary"
    error_message = "The instance role must carry the permissions boundary."
  }
}

# Both may be null (so `terraform destroy` needs neither), but no plan deploys without them.
run "compute_refuses_to_deploy_without_an_artifact" {
  command = plan

  variables {
    artifact_path = null
  }

  expect_failures = [aws_s3_object.artifact]
}

run "compute_refuses_to_deploy_without_an_ami" {
  command = plan

  variables {
    ami_id = null
  }

  expect_failures = [aws_launch_template.app]
}

run "compute_rejects_what_is_not_an_ami_id" {
  command = plan

  variables {
    ami_id = "/aws/service/ami-amazon-linux-latest/al2023-ami-kernel-default-x86_64"
  }

  expect_failures = [var.ami_id]
}

# The module's README example (examples/minimal) plans as written.
run "example_minimal_plans" {
  command = plan

  module {
    source = "./examples/minimal"
  }
}
