# Plan-mode tests of the api module's promises (mocked AWS provider: infra/tests/mocks).

mock_provider "aws" {
  override_during = plan
  source          = "../../tests/mocks"
}

variables {
  name                        = "todo-test"
  subnet_ids                  = ["subnet-private-a", "subnet-private-b"]
  vpc_link_security_group_ids = ["sg-0c0c0c0c0c0c0c0c0"]
  listener_arn                = "arn:aws:elasticloadbalancing:us-east-1:123456789012:listener/app/todo/0123/4567"
  jwt_issuer                  = "https://cognito-idp.us-east-1.amazonaws.com/us-east-1_TestPool1"
  jwt_audience                = ["testclientid0123456789"]
  cors_origins                = ["https://d111111abcdef8.cloudfront.net"]
}

run "api_todo_routes_need_the_authorizer" {
  command = plan

  override_resource {
    target          = aws_apigatewayv2_authorizer.cognito
    override_during = plan
    values          = { id = "authz-cognito" }
  }

  assert {
    condition     = aws_apigatewayv2_authorizer.cognito.jwt_configuration[0].issuer == "https://cognito-idp.us-east-1.amazonaws.com/us-east-1_TestPool1"
    error_message = "The JWT issuer must be the given user pool's issuer."
  }

  assert {
    condition     = aws_apigatewayv2_authorizer.cognito.jwt_configuration[0].audience == toset(["testclientid0123456789"])
    error_message = "The JWT audience must be the app client."
  }

  assert {
    condition = alltrue([
      for route in aws_apigatewayv2_route.todo :
      route.authorization_type == "JWT" && route.authorizer_id == "authz-cognito"
    ])
    error_message = "Every todo route must use the JWT authorizer."
  }

  assert {
    condition     = aws_apigatewayv2_integration.alb.integration_type == "HTTP_PROXY" && aws_apigatewayv2_integration.alb.connection_type == "VPC_LINK"
    error_message = "The API must reach the ALB through the VPC Link with an HTTP_PROXY integration."
  }

  assert {
    condition     = aws_apigatewayv2_api.this.cors_configuration[0].allow_origins == toset(["https://d111111abcdef8.cloudfront.net"])
    error_message = "CORS must allow exactly the web origin."
  }

  assert {
    condition     = aws_apigatewayv2_stage.default.default_route_settings[0].throttling_rate_limit > 0 && length(aws_apigatewayv2_stage.default.access_log_settings) == 1
    error_message = "The stage must be throttled and write access logs."
  }
}

run "api_bulk_routes_are_throttled_below_the_stage" {
  command = plan

  assert {
    condition = {
      for r in aws_apigatewayv2_stage.default.route_settings : r.route_key => r.throttling_rate_limit
      if r.throttling_rate_limit < aws_apigatewayv2_stage.default.default_route_settings[0].throttling_rate_limit
    } == { "PATCH /todos" = 10, "DELETE /todos" = 10 }
    error_message = "The bulk routes (PATCH and DELETE /todos) must be throttled below the stage's limit."
  }
}

run "api_refuses_throttling_for_a_route_it_does_not_have" {
  command = plan

  variables {
    route_throttling = { "POST /todo" = { rate_limit = 1, burst_limit = 1 } }
  }

  expect_failures = [aws_apigatewayv2_stage.default]
}

# The module's README example (examples/minimal) plans as written.
run "example_minimal_plans" {
  command = plan

  module {
    source = "./examples/minimal"
  }
}
