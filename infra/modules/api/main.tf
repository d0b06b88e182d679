locals {
  # The app's routes (app.py). Every todo route needs a valid Cognito token;
  # /health (liveness) and /ready (readiness) are open so load balancers, deploy
  # steps and smoke tests can call them.
  todo_routes = toset([
    "GET /todos",
    "POST /todos",
    "PATCH /todos",
    "DELETE /todos",
    "GET /todos/{todo_id}",
    "PATCH /todos/{todo_id}",
    "DELETE /todos/{todo_id}",
    "POST /todos/{todo_id}/restore",
  ])
  public_routes = toset(["GET /health", "GET /ready"])
}

resource "aws_apigatewayv2_api" "this" {
  name          = "${var.name}-api"
  protocol_type = "HTTP"
  description   = "Todo API (serverful): JWT-checked routes to the internal ALB"

  # API Gateway answers the CORS preflight itself (no authorizer on OPTIONS) and
  # replaces the app's CORS headers, so these mirror api/chalicelib/http.py (CORS_*);
  # tests/infra/terraform/test_cors_matches_app.py keeps the two in step.
  cors_configuration {
    allow_origins  = var.cors_origins
    allow_methods  = ["GET", "POST", "PATCH", "DELETE", "OPTIONS"]
    allow_headers  = ["authorization", "content-type", "if-match", "idempotency-key"]
    expose_headers = ["etag", "link", "location", "retry-after", "idempotent-replayed", "x-request-id"]
    max_age        = 600
  }
}

resource "aws_apigatewayv2_vpc_link" "this" {
  name               = "${var.name}-vpclink"
  subnet_ids         = var.subnet_ids
  security_group_ids = var.vpc_link_security_group_ids
}

resource "aws_apigatewayv2_integration" "alb" {
  api_id             = aws_apigatewayv2_api.this.id
  integration_type   = "HTTP_PROXY"
  integration_method = "ANY"
  integration_uri    = var.listener_arn
  connection_type    = "VPC_LINK"
  connection_id      = aws_apigatewayv2_vpc_link.this.id
  # API Gateway's own limit; the app's gunicorn timeout is the same 30 s.
  timeout_milliseconds = 30000
}

resource "aws_apigatewayv2_authorizer" "cognito" {
  api_id           = aws_apigatewayv2_api.this.id
  name             = "cognito"
  authorizer_type  = "JWT"
  identity_sources = ["$request.header.Authorization"]

  jwt_configuration {
    issuer   = var.jwt_issuer
    audience = var.jwt_audience
  }
}

resource "aws_apigatewayv2_route" "todo" {
  for_each = local.todo_routes

  api_id             = aws_apigatewayv2_api.this.id
  route_key          = each.value
  target             = "integrations/${aws_apigatewayv2_integration.alb.id}"
  authorization_type = "JWT"
  authorizer_id      = aws_apigatewayv2_authorizer.cognito.id
}

resource "aws_apigatewayv2_route" "public" {
  for_each = local.public_routes

  api_id             = aws_apigatewayv2_api.this.id
  route_key          = each.value
  target             = "integrations/${aws_apigatewayv2_integration.alb.id}"
  authorization_type = "NONE"
}

resource "aws_cloudwatch_log_group" "access" {
  name              = "/aws/apigateway/${var.name}-api"
  retention_in_days = var.log_retention_days
}

resource "aws_apigatewayv2_stage" "default" {
  api_id      = aws_apigatewayv2_api.this.id
  name        = "$default"
  auto_deploy = true

  # Throttling for everyone together (the stage), tighter for the routes that touch
  # many items per call; per-user limits are the WAF's job (modules/waf).
  default_route_settings {
    throttling_rate_limit  = var.throttling_rate_limit
    throttling_burst_limit = var.throttling_burst_limit
  }

  dynamic "route_settings" {
    for_each = var.route_throttling
    content {
      route_key              = route_settings.key
      throttling_rate_limit  = route_settings.value.rate_limit
      throttling_burst_limit = route_settings.value.burst_limit
    }
  }

  access_log_settings {
    destination_arn = aws_cloudwatch_log_group.access.arn
    format = jsonencode({
      requestId      = "$context.requestId"
      ip             = "$context.identity.sourceIp"
      requestTime    = "$context.requestTime"
      httpMethod     = "$context.httpMethod"
      routeKey       = "$context.routeKey"
      status         = "$context.status"
      responseLength = "$context.responseLength"
      latencyMs      = "$context.responseLatency"
      integrationMs  = "$context.integrationLatency"
      authError      = "$context.authorizer.error"
      integrationErr = "$context.integrationErrorMessage"
      userSub        = "$context.authorizer.claims.sub"
    })
  }

  # Route settings name routes that must exist first.
  depends_on = [aws_apigatewayv2_route.todo, aws_apigatewayv2_route.public]

  lifecycle {
    precondition {
      condition     = length(setsubtract(keys(var.route_throttling), setunion(local.todo_routes, local.public_routes))) == 0
      error_message = "route_throttling may name only the API's routes."
    }
  }
}
