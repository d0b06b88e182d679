# What an operator of the serverful stack watches: the app log group, alarms that
# notify the foundation's alarm topic, and one dashboard. Thresholds and reasons: docs/operations.md.

data "aws_region" "current" {}

locals {
  # CloudWatch names load balancers and target groups by the end of their ARNs.
  alb_dimension          = regex("loadbalancer/(app/[^/]+/[^/]+)$", var.alb_arn)[0]
  target_group_dimension = regex("(targetgroup/[^/]+/[^/]+)$", var.target_group_arn)[0]
  api_dimensions         = { ApiId = var.api_id, Stage = "$default" }
  # The app's metrics (api/chalicelib/observability.py): one namespace for every stack,
  # the stack's name as the `service` dimension.
  app_namespace  = "TodoApp"
  app_dimensions = { service = var.name }
  # SystemErrors exists per operation only: the ones the app calls.
  dynamodb_operations = ["GetItem", "PutItem", "UpdateItem", "DeleteItem", "Query", "BatchWriteItem", "TransactWriteItems"]

  alarm_names = {
    api_5xx_rate           = "${var.name}-api-5xx-rate"
    api_p99_latency        = "${var.name}-api-p99-latency"
    alb_target_5xx         = "${var.name}-alb-target-5xx"
    alb_unhealthy_hosts    = "${var.name}-alb-unhealthy-hosts"
    asg_in_service         = "${var.name}-asg-in-service-below-min"
    instance_cpu           = "${var.name}-instance-cpu"
    dynamodb_throttles     = "${var.name}-dynamodb-throttles"
    dynamodb_system_errors = "${var.name}-dynamodb-system-errors"
    auth_failure_spike     = "${var.name}-auth-failure-spike"
  }
  alarm_actions = [var.alarm_topic_arn]
}

# ------------------------------------------------------------------- app logs

# gunicorn's output (the app's JSON lines and EMF documents), shipped by the
# CloudWatch agent on each instance (the compute module), one stream per instance.
resource "aws_cloudwatch_log_group" "app" {
  name              = "/todo/${var.name}/app"
  retention_in_days = var.log_retention_days
}

# ------------------------------------------------------------------- alarms

resource "aws_cloudwatch_metric_alarm" "api_5xx_rate" {
  alarm_name          = local.alarm_names.api_5xx_rate
  alarm_description   = "More than ${var.api_5xx_rate_threshold * 100} % of API requests answered 5xx in 3 of 5 minutes (at least 20 requests a minute). Look at the app log's ERROR lines."
  comparison_operator = "GreaterThanThreshold"
  threshold           = var.api_5xx_rate_threshold
  evaluation_periods  = 5
  datapoints_to_alarm = 3
  treat_missing_data  = "notBreaching"
  alarm_actions       = local.alarm_actions
  ok_actions          = local.alarm_actions

  metric_query {
    id          = "rate"
    expression  = "IF(requests >= 20, errors / requests, 0)"
    label       = "5xx share of requests"
    return_data = true
  }

  metric_query {
    id = "errors"
    metric {
      namespace   = "AWS/ApiGateway"
      metric_name = "5xx"
      dimensions  = local.api_dimensions
      period      = 60
      stat        = "Sum"
    }
  }

  metric_query {
    id = "requests"
    metric {
      namespace   = "AWS/ApiGateway"
      metric_name = "Count"
      dimensions  = local.api_dimensions
      period      = 60
      stat        = "Sum"
    }
  }
}

# The alarms on one metric each; the ones on a metric-math expression follow.
locals {
  single_metric_alarms = {
    api_p99_latency = {
      description        = "The slowest 1 % of API requests took over ${var.api_p99_latency_ms} ms in 3 of 5 minutes; users feel it. Compare the ALB's TargetResponseTime and the app's Latency on the dashboard."
      namespace          = "AWS/ApiGateway"
      metric_name        = "Latency"
      dimensions         = local.api_dimensions
      statistic          = null
      extended_statistic = "p99"
      period             = 60
      evaluation_periods = 5
      datapoints         = 3
      threshold          = var.api_p99_latency_ms
      comparison         = "GreaterThanThreshold"
      missing_data       = "notBreaching"
    }
    alb_target_5xx = {
      description        = "The instances answered 10 or more 5xx in 5 minutes (gunicorn or the app failing). The app log's ERROR lines have the stack traces."
      namespace          = "AWS/ApplicationELB"
      metric_name        = "HTTPCode_Target_5XX_Count"
      dimensions         = { LoadBalancer = local.alb_dimension }
      statistic          = "Sum"
      extended_statistic = null
      period             = 300
      evaluation_periods = 1
      datapoints         = 1
      threshold          = 10
      comparison         = "GreaterThanOrEqualToThreshold"
      missing_data       = "notBreaching"
    }
    alb_unhealthy_hosts = {
      description        = "An instance has failed the ALB's /health check for 3 minutes; the Auto Scaling group replaces it. Its log stream (instance id) in the app log group says why."
      namespace          = "AWS/ApplicationELB"
      metric_name        = "UnHealthyHostCount"
      dimensions         = { LoadBalancer = local.alb_dimension, TargetGroup = local.target_group_dimension }
      statistic          = "Maximum"
      extended_statistic = null
      period             = 60
      evaluation_periods = 3
      datapoints         = 3
      threshold          = 0
      comparison         = "GreaterThanThreshold"
      missing_data       = "notBreaching"
    }
    asg_in_service = {
      description        = "Fewer than ${var.min_size} instances (min_size) in service for 5 minutes: launches fail or a bad artifact keeps instances from becoming healthy. See the group's activity history."
      namespace          = "AWS/AutoScaling"
      metric_name        = "GroupInServiceInstances"
      dimensions         = { AutoScalingGroupName = var.autoscaling_group_name }
      statistic          = "Minimum"
      extended_statistic = null
      period             = 60
      evaluation_periods = 5
      datapoints         = 5
      threshold          = var.min_size
      comparison         = "LessThanThreshold"
      # No data means the group reports nothing at all: that is worth a look too.
      missing_data = "breaching"
    }
    instance_cpu = {
      description        = "The instances' average CPU stayed over ${var.cpu_alarm_percent} % for 10 minutes: target tracking aims lower, so scaling cannot keep up or max_size is reached."
      namespace          = "AWS/EC2"
      metric_name        = "CPUUtilization"
      dimensions         = { AutoScalingGroupName = var.autoscaling_group_name }
      statistic          = "Average"
      extended_statistic = null
      period             = 300
      evaluation_periods = 2
      datapoints         = 2
      threshold          = var.cpu_alarm_percent
      comparison         = "GreaterThanThreshold"
      missing_data       = "notBreaching"
    }
    auth_failure_spike = {
      description        = "The app refused ${var.auth_failures_per_5_minutes} or more tokens in 5 minutes (its AuthFailures metric, by reason on the dashboard): a broken client release or someone trying tokens. The HTTP API's JWT authorizer rejects most bad tokens before the app."
      namespace          = local.app_namespace
      metric_name        = "AuthFailures"
      dimensions         = local.app_dimensions
      statistic          = "Sum"
      extended_statistic = null
      period             = 300
      evaluation_periods = 1
      datapoints         = 1
      threshold          = var.auth_failures_per_5_minutes
      comparison         = "GreaterThanOrEqualToThreshold"
      missing_data       = "notBreaching"
    }
  }
}

resource "aws_cloudwatch_metric_alarm" "metric" {
  for_each = local.single_metric_alarms

  alarm_name          = local.alarm_names[each.key]
  alarm_description   = each.value.description
  namespace           = each.value.namespace
  metric_name         = each.value.metric_name
  dimensions          = each.value.dimensions
  statistic           = each.value.statistic
  extended_statistic  = each.value.extended_statistic
  period              = each.value.period
  evaluation_periods  = each.value.evaluation_periods
  datapoints_to_alarm = each.value.datapoints
  threshold           = each.value.threshold
  comparison_operator = each.value.comparison
  treat_missing_data  = each.value.missing_data
  alarm_actions       = local.alarm_actions
  ok_actions          = local.alarm_actions
}

resource "aws_cloudwatch_metric_alarm" "dynamodb_throttles" {
  alarm_name          = local.alarm_names.dynamodb_throttles
  alarm_description   = "DynamoDB throttled 10 or more reads or writes on the table in each of 2 of 3 five-minute periods; an on-demand table does so only past its previous peak doubled, or on a hot partition."
  comparison_operator = "GreaterThanOrEqualToThreshold"
  threshold           = 10
  evaluation_periods  = 3
  datapoints_to_alarm = 2
  treat_missing_data  = "notBreaching"
  alarm_actions       = local.alarm_actions
  ok_actions          = local.alarm_actions

  metric_query {
    id          = "throttles"
    expression  = "reads + writes"
    label       = "Throttled reads and writes"
    return_data = true
  }

  dynamic "metric_query" {
    for_each = { reads = "ReadThrottleEvents", writes = "WriteThrottleEvents" }
    content {
      id = metric_query.key
      metric {
        namespace   = "AWS/DynamoDB"
        metric_name = metric_query.value
        dimensions  = { TableName = var.table_name }
        period      = 300
        stat        = "Sum"
      }
    }
  }
}

resource "aws_cloudwatch_metric_alarm" "dynamodb_system_errors" {
  alarm_name          = local.alarm_names.dynamodb_system_errors
  alarm_description   = "DynamoDB answered 5 or more requests with a 500 in 5 minutes (its fault, not ours; clients got 503 + Retry-After). Check the AWS Health Dashboard."
  comparison_operator = "GreaterThanOrEqualToThreshold"
  threshold           = 5
  evaluation_periods  = 1
  treat_missing_data  = "notBreaching"
  alarm_actions       = local.alarm_actions
  ok_actions          = local.alarm_actions

  metric_query {
    id          = "errors"
    expression  = "SUM([${join(", ", [for op in local.dynamodb_operations : lower(op)])}])"
    label       = "DynamoDB system errors"
    return_data = true
  }

  dynamic "metric_query" {
    for_each = toset(local.dynamodb_operations)
    content {
      id = lower(metric_query.value)
      metric {
        namespace   = "AWS/DynamoDB"
        metric_name = "SystemErrors"
        dimensions  = { TableName = var.table_name, Operation = metric_query.value }
        period      = 300
        stat        = "Sum"
      }
    }
  }
}

# ---------------------------------------------------------------- dashboard

locals {
  region = data.aws_region.current.name
  alarm_arns = concat(
    [for alarm in aws_cloudwatch_metric_alarm.metric : alarm.arn],
    [
      aws_cloudwatch_metric_alarm.api_5xx_rate.arn,
      aws_cloudwatch_metric_alarm.dynamodb_throttles.arn,
      aws_cloudwatch_metric_alarm.dynamodb_system_errors.arn,
    ],
  )
  api = ["AWS/ApiGateway", "Count", "ApiId", var.api_id, "Stage", "$default"]

  widgets = [
    { type = "metric", x = 0, y = 0, width = 8, height = 6, properties = {
      title = "Traffic: API requests and errors", region = local.region, stat = "Sum", period = 60,
      metrics = [
        concat(local.api, [{ label = "requests" }]),
        [".", "4xx", ".", ".", ".", ".", { label = "4xx" }],
        [".", "5xx", ".", ".", ".", ".", { label = "5xx" }],
      ]
    } },
    { type = "metric", x = 8, y = 0, width = 8, height = 6, properties = {
      title = "Latency percentiles (API Gateway, ms)", region = local.region, period = 60,
      metrics = [
        ["AWS/ApiGateway", "Latency", "ApiId", var.api_id, "Stage", "$default", { stat = "p50", label = "p50" }],
        ["...", { stat = "p90", label = "p90" }],
        ["...", { stat = "p99", label = "p99" }],
      ]
    } },
    { type = "alarm", x = 16, y = 0, width = 8, height = 6, properties = {
      title = "Alarms", alarms = local.alarm_arns
    } },
    { type = "metric", x = 0, y = 6, width = 8, height = 6, properties = {
      title = "Instances: healthy, in service, CPU", region = local.region, period = 60,
      metrics = [
        ["AWS/ApplicationELB", "HealthyHostCount", "TargetGroup", local.target_group_dimension, "LoadBalancer", local.alb_dimension, { stat = "Minimum" }],
        [".", "UnHealthyHostCount", ".", ".", ".", ".", { stat = "Maximum" }],
        ["AWS/AutoScaling", "GroupInServiceInstances", "AutoScalingGroupName", var.autoscaling_group_name, { stat = "Minimum" }],
        ["AWS/EC2", "CPUUtilization", "AutoScalingGroupName", var.autoscaling_group_name, { stat = "Average", yAxis = "right" }],
      ]
    } },
    { type = "metric", x = 8, y = 6, width = 8, height = 6, properties = {
      title = "ALB: target response time (s) and target 5xx", region = local.region, period = 60,
      metrics = [
        ["AWS/ApplicationELB", "TargetResponseTime", "LoadBalancer", local.alb_dimension, { stat = "p50" }],
        ["...", { stat = "p99" }],
        [".", "HTTPCode_Target_5XX_Count", ".", ".", { stat = "Sum", yAxis = "right" }],
      ]
    } },
    { type = "metric", x = 16, y = 6, width = 8, height = 6, properties = {
      title = "DynamoDB: capacity and throttles", region = local.region, stat = "Sum", period = 60,
      metrics = [
        ["AWS/DynamoDB", "ConsumedReadCapacityUnits", "TableName", var.table_name],
        [".", "ConsumedWriteCapacityUnits", ".", "."],
        [".", "ReadThrottleEvents", ".", "."],
        [".", "WriteThrottleEvents", ".", "."],
      ]
    } },
    { type = "metric", x = 0, y = 12, width = 8, height = 6, properties = {
      title = "App: requests by status class", region = local.region, stat = "Sum", period = 60,
      metrics = [[{
        id         = "byclass", label = "",
        expression = "SEARCH('{${local.app_namespace},service,route,status_class} service=\"${var.name}\" MetricName=\"Requests\"', 'Sum', 60)"
      }]]
    } },
    { type = "metric", x = 8, y = 12, width = 8, height = 6, properties = {
      title = "App: latency (ms) and DynamoDB requests per request", region = local.region, period = 60,
      metrics = [
        [local.app_namespace, "Latency", "service", var.name, { stat = "p50" }],
        ["...", { stat = "p99" }],
        [".", "DynamoDBRequests", ".", ".", { stat = "Average", yAxis = "right" }],
      ]
    } },
    { type = "metric", x = 16, y = 12, width = 8, height = 6, properties = {
      title = "App: todos, auth failures, DynamoDB throttles", region = local.region, stat = "Sum", period = 300,
      metrics = [
        [local.app_namespace, "TodosCreated", "service", var.name],
        [".", "TodosCompleted", ".", "."],
        [".", "TodosDeleted", ".", "."],
        [".", "AuthFailures", ".", "."],
        [".", "DynamoDBThrottles", ".", "."],
      ]
    } },
    { type = "log", x = 0, y = 18, width = 24, height = 6, properties = {
      title = "Latest errors (app log)", region = local.region, view = "table",
      query = "SOURCE '${aws_cloudwatch_log_group.app.name}' | fields @timestamp, @logStream, correlation_id, method, route, status, exception_name | filter level = 'ERROR' or status >= 500 | sort @timestamp desc | limit 50"
    } },
  ]
}

resource "aws_cloudwatch_dashboard" "this" {
  dashboard_name = var.name
  dashboard_body = jsonencode({ widgets = local.widgets })
}
