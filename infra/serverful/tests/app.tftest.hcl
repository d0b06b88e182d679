# Plan-mode tests of the app root's composition (mocked AWS provider: infra/tests/mocks).

mock_provider "aws" {
  override_during = plan
  source          = "../tests/mocks"
}

variables {
  name             = "todo-test"
  artifact_path    = "../modules/compute/tests/fixtures/artifact.zip"
  ami_id           = "ami-0123456789abcdef0"
  persistent_state = { backend = "local", config = { path = "persistent.tfstate" } }
}

# What the persistent root's state holds (infra/foundation/outputs.tf).
override_data {
  target = data.terraform_remote_state.persistent
  values = {
    outputs = {
      table_name          = "todo-test-todos"
      table_arn           = "arn:aws:dynamodb:us-east-1:123456789012:table/todo-test-todos"
      user_pool_id        = "us-east-1_TestPool1"
      user_pool_client_id = "testclientid0123456789"
      issuer              = "https://cognito-idp.us-east-1.amazonaws.com/us-east-1_TestPool1"
      web_url             = "https://d111111abcdef8.cloudfront.net"
      web_bucket          = "todo-test-web-123"
      distribution_id     = "EDFDVBD6EXAMPLE"
      alarm_topic_arn     = "arn:aws:sns:us-east-1:123456789012:todo-test-alarms"
    }
  }
}

run "stack_composes_the_promises" {
  command = plan

  # Subnet IDs are unknown until apply; give each tier a recognisable fake one.
  override_resource {
    target          = module.network.aws_subnet.private
    override_during = plan
    values          = { id = "subnet-private" }
  }

  override_resource {
    target          = module.network.aws_subnet.public
    override_during = plan
    values          = { id = "subnet-public" }
  }

  assert {
    condition     = module.api.jwt_issuer == "https://cognito-idp.us-east-1.amazonaws.com/us-east-1_TestPool1"
    error_message = "The API's JWT issuer must be the stack's Cognito user pool."
  }

  assert {
    condition     = output.table_name == "todo-test-todos" && output.user_pool_client_id == "testclientid0123456789" && strcontains(module.compute.user_data, "TABLE_NAME=todo-test-todos\n")
    error_message = "The app must use the persistent root's table and app client."
  }

  assert {
    condition     = { for key, auth in module.api.route_authorization : key => auth if auth != "JWT" } == { "GET /health" = "NONE", "GET /ready" = "NONE" }
    error_message = "Every route except GET /health and GET /ready must require a JWT."
  }

  assert {
    condition     = module.alb.internal == true
    error_message = "The stack's ALB must be internal."
  }

  assert {
    condition     = toset(module.compute.subnet_ids) == toset(module.network.private_subnet_ids)
    error_message = "Instances must be launched in the private subnets, and only there."
  }

  assert {
    condition     = length(setintersection(module.compute.subnet_ids, module.network.public_subnet_ids)) == 0
    error_message = "No instance may be placed in a public subnet."
  }

  assert {
    condition     = output.api_url == "https://abc123.execute-api.us-east-1.amazonaws.com"
    error_message = "api_url must be the HTTP API's URL without a trailing slash."
  }

  assert {
    condition = (
      output.web_url == "https://d111111abcdef8.cloudfront.net" &&
      strcontains(module.compute.user_data, "PUBLIC_API_ORIGIN=https://d111111abcdef8.cloudfront.net\n") &&
      output.api_origin == { architecture = "serverful", domain_name = "abc123.execute-api.us-east-1.amazonaws.com", origin_path = "" }
    )
    error_message = "The front door (the foundation's CloudFront) must be the web URL and the app's PUBLIC_API_ORIGIN, and the HTTP API its backend origin."
  }
}

# The monitoring module wired in: the compute module's CloudWatch agent ships to its
# log group, its alarms watch this stack, operators find it in the outputs.
run "stack_ships_app_logs_to_the_monitoring_log_group" {
  command = plan

  assert {
    condition     = toset([for entry in jsondecode(module.compute.cloudwatch_agent_config).logs.logs_collected.files.collect_list : entry.log_group_name]) == toset([module.monitoring.app_log_group_name])
    error_message = "The CloudWatch agent must ship to the stack's app log group, and only there."
  }

  assert {
    condition     = output.dashboard_url == module.monitoring.dashboard_url && output.log_group == "/todo/todo-test/app"
    error_message = "The dashboard URL and the log group must be stack outputs."
  }

  assert {
    condition     = module.monitoring.alarm_names.asg_in_service == "todo-test-asg-in-service-below-min" && output.alarm_topic_arn == "arn:aws:sns:us-east-1:123456789012:todo-test-alarms"
    error_message = "The stack must include the monitoring module's alarms, notifying the foundation's topic."
  }

  assert {
    condition     = strcontains(module.compute.user_data, "POWERTOOLS_SERVICE_NAME=todo-test\n")
    error_message = "The app's metrics must carry the stack's name, the service the alarms watch."
  }
}

run "stack_rejects_a_bad_stack_name" {
  command = plan

  variables {
    name = "Todo_Prod"
  }

  expect_failures = [var.name]
}

run "stack_gives_every_role_the_permissions_boundary" {
  command = plan

  variables {
    permissions_boundary_arn = "arn:aws:iam::123456789012:policy/todo-boundary"
  }

  assert {
    condition     = module.network.flow_logs_role_boundary == "arn:aws:iam::123456789012:policy/todo-boundary" && module.compute.instance_role_boundary == "arn:aws:iam::123456789012:policy/todo-boundary"
    error_message = "Every IAM role the app root creates must carry the permissions boundary."
  }
}
