# Plan-mode tests of the monitoring: the module on its own (every alarm, the topic,
# the optional email, the dashboard, the log group) and wired into the stack (the
# compute module's CloudWatch agent ships to that group). Mocked provider, as in
# promises.tftest.hcl.

mock_provider "aws" {
  override_during = plan

  mock_data "aws_availability_zones" {
    defaults = { names = ["us-east-1a", "us-east-1b", "us-east-1c"] }
  }
  mock_data "aws_region" {
    defaults = { name = "us-east-1" }
  }
  mock_data "aws_partition" {
    defaults = { partition = "aws" }
  }
  mock_data "aws_caller_identity" {
    defaults = { account_id = "123456789012" }
  }
  mock_data "aws_ssm_parameter" {
    defaults = { value = "ami-0123456789abcdef0" }
  }
  mock_data "aws_iam_policy_document" {
    defaults = { json = "{\"Version\":\"2012-10-17\",\"Statement\":[]}" }
  }
  mock_resource "aws_cognito_user_pool" {
    defaults = {
      id  = "us-east-1_TestPool1"
      arn = "arn:aws:cognito-idp:us-east-1:123456789012:userpool/us-east-1_TestPool1"
    }
  }
  mock_resource "aws_cognito_user_pool_client" {
    defaults = { id = "testclientid0123456789" }
  }
  mock_resource "aws_dynamodb_table" {
    defaults = { arn = "arn:aws:dynamodb:us-east-1:123456789012:table/todo-test-todos" }
  }
  mock_resource "aws_s3_bucket" {
    defaults = { arn = "arn:aws:s3:::todo-test-bucket" }
  }
  mock_resource "aws_cloudfront_distribution" {
    defaults = {
      domain_name = "d111111abcdef8.cloudfront.net"
      arn         = "arn:aws:cloudfront::123456789012:distribution/EDFDVBD6EXAMPLE"
    }
  }
  mock_resource "aws_iam_role" {
    defaults = { arn = "arn:aws:iam::123456789012:role/todo-test-role" }
  }
  mock_resource "aws_iam_instance_profile" {
    defaults = { arn = "arn:aws:iam::123456789012:instance-profile/todo-test-app" }
  }
  # Plausible IDs, so the modules' input validations accept what the mocks produce.
  mock_resource "aws_vpc" {
    defaults = { id = "vpc-0mock" }
  }
  mock_resource "aws_subnet" {
    defaults = { id = "subnet-0mock" }
  }
  mock_resource "aws_security_group" {
    defaults = { id = "sg-0mock" }
  }
  mock_resource "aws_lb_target_group" {
    defaults = { arn = "arn:aws:elasticloadbalancing:us-east-1:123456789012:targetgroup/app-mock/0123456789abcdef" }
  }
  mock_resource "aws_lb_listener" {
    defaults = { arn = "arn:aws:elasticloadbalancing:us-east-1:123456789012:listener/app/todo-mock/0123/4567" }
  }
  mock_resource "aws_apigatewayv2_stage" {
    defaults = { invoke_url = "https://abc123.execute-api.us-east-1.amazonaws.com/" }
  }
  mock_resource "aws_cloudwatch_log_group" {
    defaults = { arn = "arn:aws:logs:us-east-1:123456789012:log-group:todo-test" }
  }
  mock_resource "aws_lb" {
    defaults = {
      arn        = "arn:aws:elasticloadbalancing:us-east-1:123456789012:loadbalancer/app/todo-test-alb/50dc6c495c0c9188"
      arn_suffix = "app/todo-test-alb/50dc6c495c0c9188"
    }
  }
  mock_resource "aws_sns_topic" {
    defaults = { arn = "arn:aws:sns:us-east-1:123456789012:todo-test-alarms" }
  }
  mock_resource "aws_kms_key" {
    defaults = { arn = "arn:aws:kms:us-east-1:123456789012:key/1234abcd-12ab-34cd-56ef-1234567890ab" }
  }
  mock_resource "aws_cloudwatch_metric_alarm" {
    defaults = { arn = "arn:aws:cloudwatch:us-east-1:123456789012:alarm:todo-test" }
  }
}

variables {
  name          = "todo-test"
  artifact_path = "tests/fixtures/artifact.zip"
}

# ------------------------------------------------------------ the module itself

run "monitoring_module_has_every_alarm_the_topic_and_the_dashboard" {
  command = plan

  module {
    source = "./modules/monitoring"
  }

  variables {
    api_id                 = "abc123"
    alb_arn                = "arn:aws:elasticloadbalancing:us-east-1:123456789012:loadbalancer/app/todo-test-alb/50dc6c495c0c9188"
    target_group_arn       = "arn:aws:elasticloadbalancing:us-east-1:123456789012:targetgroup/app-mock/0123456789abcdef"
    autoscaling_group_name = "todo-test-app-1"
    min_size               = 2
    table_name             = "todo-test-todos"
  }

  assert {
    condition = toset(values(output.alarm_names)) == toset([
      "todo-test-api-5xx-rate", "todo-test-api-p99-latency", "todo-test-alb-target-5xx",
      "todo-test-alb-unhealthy-hosts", "todo-test-asg-in-service-below-min", "todo-test-instance-cpu",
      "todo-test-dynamodb-throttles", "todo-test-dynamodb-system-errors", "todo-test-auth-failure-spike",
    ])
    error_message = "The module must define exactly the documented alarms (docs/operations.md)."
  }

  assert {
    condition = alltrue([
      for alarm in [
        aws_cloudwatch_metric_alarm.api_5xx_rate, aws_cloudwatch_metric_alarm.api_p99_latency,
        aws_cloudwatch_metric_alarm.alb_target_5xx, aws_cloudwatch_metric_alarm.alb_unhealthy_hosts,
        aws_cloudwatch_metric_alarm.asg_in_service, aws_cloudwatch_metric_alarm.instance_cpu,
        aws_cloudwatch_metric_alarm.dynamodb_throttles, aws_cloudwatch_metric_alarm.dynamodb_system_errors,
        aws_cloudwatch_metric_alarm.auth_failure_spike,
      ] : alarm.alarm_actions == toset([aws_sns_topic.alarms.arn]) && alarm.ok_actions == toset([aws_sns_topic.alarms.arn]) && length(alarm.alarm_description) > 40
    ])
    error_message = "Every alarm must notify the topic (alarm and OK) and say what it means."
  }

  assert {
    condition     = aws_cloudwatch_metric_alarm.alb_unhealthy_hosts.dimensions["LoadBalancer"] == "app/todo-test-alb/50dc6c495c0c9188" && aws_cloudwatch_metric_alarm.alb_unhealthy_hosts.dimensions["TargetGroup"] == "targetgroup/app-mock/0123456789abcdef"
    error_message = "ALB alarms must name the load balancer and target group by their ARN suffixes."
  }

  assert {
    condition     = aws_cloudwatch_metric_alarm.asg_in_service.threshold == 2 && aws_cloudwatch_metric_alarm.asg_in_service.comparison_operator == "LessThanThreshold"
    error_message = "The in-service alarm must fire below min_size."
  }

  assert {
    condition     = aws_cloudwatch_metric_alarm.auth_failure_spike.namespace == "TodoApp" && aws_cloudwatch_metric_alarm.auth_failure_spike.dimensions == tomap({ service = "todo-test" })
    error_message = "The auth failure alarm must read the app's metric for this stack (service = stack name)."
  }

  assert {
    condition     = aws_sns_topic.alarms.kms_master_key_id == aws_kms_key.alarms.arn && aws_kms_key.alarms.enable_key_rotation
    error_message = "The alarm topic must be encrypted with its own rotated key."
  }

  assert {
    condition     = length(aws_sns_topic_subscription.email) == 0
    error_message = "Without alarm_email there is no subscription."
  }

  assert {
    condition     = aws_cloudwatch_log_group.app.name == "/todo/todo-test/app" && aws_cloudwatch_log_group.app.retention_in_days == 30
    error_message = "The app log group is per stack, with the Lambda's 30-day retention."
  }

  assert {
    condition = alltrue([
      for text in ["5xx", "Latency", "p99", "ConsumedReadCapacityUnits", "UnHealthyHostCount", "CPUUtilization", "TodosCreated", "TodosCompleted", "TodosDeleted", "AuthFailures", "DynamoDBThrottles", "DynamoDBRequests", "Requests", "/todo/todo-test/app"] :
      strcontains(output.dashboard_body, text)
    ])
    error_message = "The dashboard must show traffic, errors, latency percentiles, the instances, DynamoDB and the app's metrics."
  }

  assert {
    condition     = length(jsondecode(output.dashboard_body).widgets) == 10 && endswith(output.dashboard_url, "#dashboards:name=todo-test")
    error_message = "One dashboard named after the stack, its URL an output."
  }
}

run "monitoring_module_subscribes_the_alarm_email" {
  command = plan

  module {
    source = "./modules/monitoring"
  }

  variables {
    alarm_email            = "ops@example.com"
    api_id                 = "abc123"
    alb_arn                = "arn:aws:elasticloadbalancing:us-east-1:123456789012:loadbalancer/app/todo-test-alb/50dc6c495c0c9188"
    target_group_arn       = "arn:aws:elasticloadbalancing:us-east-1:123456789012:targetgroup/app-mock/0123456789abcdef"
    autoscaling_group_name = "todo-test-app-1"
    min_size               = 2
    table_name             = "todo-test-todos"
  }

  assert {
    condition     = length(aws_sns_topic_subscription.email) == 1 && aws_sns_topic_subscription.email[0].endpoint == "ops@example.com" && aws_sns_topic_subscription.email[0].protocol == "email"
    error_message = "alarm_email must subscribe that address to the topic."
  }
}

run "monitoring_module_rejects_a_bad_alarm_email" {
  command = plan

  module {
    source = "./modules/monitoring"
  }

  variables {
    alarm_email            = "not an address"
    api_id                 = "abc123"
    alb_arn                = "arn:aws:elasticloadbalancing:us-east-1:123456789012:loadbalancer/app/todo-test-alb/50dc6c495c0c9188"
    target_group_arn       = "arn:aws:elasticloadbalancing:us-east-1:123456789012:targetgroup/app-mock/0123456789abcdef"
    autoscaling_group_name = "todo-test-app-1"
    min_size               = 2
    table_name             = "todo-test-todos"
  }

  expect_failures = [var.alarm_email]
}

# ------------------------------------------------------------- in the stack

run "stack_ships_app_logs_to_the_monitoring_log_group" {
  command = plan

  variables {
    alarm_email = "ops@example.com"
  }

  assert {
    condition     = toset([for entry in jsondecode(module.compute.cloudwatch_agent_config).logs.logs_collected.files.collect_list : entry.log_group_name]) == toset([module.monitoring.app_log_group_name])
    error_message = "The CloudWatch agent must ship to the stack's app log group, and only there."
  }

  assert {
    condition     = contains([for entry in jsondecode(module.compute.cloudwatch_agent_config).logs.logs_collected.files.collect_list : entry.file_path], "/var/log/todo/app.log")
    error_message = "The agent must ship gunicorn's output file."
  }

  assert {
    condition     = !can(jsondecode(module.compute.cloudwatch_agent_config).metrics)
    error_message = "The agent publishes no metrics of its own (the app's EMF lines become metrics in CloudWatch Logs)."
  }

  assert {
    condition     = strcontains(module.compute.user_data, "amazon-cloudwatch-agent-ctl -a fetch-config -m ec2 -s") && strcontains(module.compute.user_data, "StandardOutput=append:/var/log/todo/app.log") && strcontains(module.compute.user_data, "POWERTOOLS_SERVICE_NAME=todo-test")
    error_message = "The user data must install and start the agent, send gunicorn's output to the shipped file, and name the metrics' service."
  }

  assert {
    condition     = output.dashboard_url == module.monitoring.dashboard_url && output.log_group == "/todo/todo-test/app"
    error_message = "The dashboard URL and the log group must be stack outputs."
  }

  assert {
    condition     = module.monitoring.alarm_names.asg_in_service == "todo-test-asg-in-service-below-min"
    error_message = "The stack must include the monitoring module's alarms."
  }
}
