# Plan-mode tests of the monitoring module's promises (mocked AWS provider:
# infra/tests/mocks): every alarm notifying the given topic, the dashboard,
# the log group. Thresholds and reasons: docs/operations.md.

mock_provider "aws" {
  override_during = plan
  source          = "../../tests/mocks"
}

variables {
  name                   = "todo-test"
  api_id                 = "abc123"
  alb_arn                = "arn:aws:elasticloadbalancing:us-east-1:123456789012:loadbalancer/app/todo-test-alb/50dc6c495c0c9188"
  target_group_arn       = "arn:aws:elasticloadbalancing:us-east-1:123456789012:targetgroup/app-mock/0123456789abcdef"
  autoscaling_group_name = "todo-test-app"
  min_size               = 2
  table_name             = "todo-test-todos"
  alarm_topic_arn        = "arn:aws:sns:us-east-1:123456789012:todo-test-alarms"
}

run "monitoring_has_every_alarm_the_topic_and_the_dashboard" {
  command = plan

  assert {
    condition     = length(aws_cloudwatch_metric_alarm.metric) + 3 == length(output.alarm_names)
    error_message = "Every named alarm must be defined (the single-metric ones and the three on expressions)."
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
      for alarm in concat(values(aws_cloudwatch_metric_alarm.metric), [
        aws_cloudwatch_metric_alarm.api_5xx_rate, aws_cloudwatch_metric_alarm.dynamodb_throttles,
        aws_cloudwatch_metric_alarm.dynamodb_system_errors,
      ]) : alarm.alarm_actions == toset([var.alarm_topic_arn]) && alarm.ok_actions == toset([var.alarm_topic_arn]) && length(alarm.alarm_description) > 40
    ])
    error_message = "Every alarm must notify the topic (alarm and OK) and say what it means."
  }

  assert {
    condition     = aws_cloudwatch_metric_alarm.metric["alb_unhealthy_hosts"].dimensions["LoadBalancer"] == "app/todo-test-alb/50dc6c495c0c9188" && aws_cloudwatch_metric_alarm.metric["alb_unhealthy_hosts"].dimensions["TargetGroup"] == "targetgroup/app-mock/0123456789abcdef"
    error_message = "ALB alarms must name the load balancer and target group by their ARN suffixes."
  }

  assert {
    condition     = aws_cloudwatch_metric_alarm.metric["asg_in_service"].threshold == 2 && aws_cloudwatch_metric_alarm.metric["asg_in_service"].comparison_operator == "LessThanThreshold"
    error_message = "The in-service alarm must fire below min_size."
  }

  assert {
    condition     = aws_cloudwatch_metric_alarm.metric["auth_failure_spike"].namespace == "TodoApp" && aws_cloudwatch_metric_alarm.metric["auth_failure_spike"].dimensions == tomap({ service = "todo-test" })
    error_message = "The auth failure alarm must read the app's metric for this stack (service = stack name)."
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

# The module's README example (examples/minimal) plans as written.
run "example_minimal_plans" {
  command = plan

  module {
    source = "./examples/minimal"
  }
}
