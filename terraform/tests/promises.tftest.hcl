# Plan-mode tests of the stack's security and availability promises. The AWS provider is
# mocked (no credentials, no network); computed values are faked during plan so that
# IDs and ARNs can be compared.

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
    defaults = { arn = "arn:aws:elasticloadbalancing:us-east-1:123456789012:loadbalancer/app/todo-test-alb/50dc6c495c0c9188" }
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

# ----------------------------------------------------- the composed stack (root)

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
    condition     = module.api.jwt_issuer == module.auth.issuer
    error_message = "The API must trust the issuer the auth module publishes."
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
    condition     = output.web_url == "https://d111111abcdef8.cloudfront.net"
    error_message = "web_url must be the CloudFront distribution's HTTPS URL."
  }
}

run "stack_rejects_a_bad_stack_name" {
  command = plan

  variables {
    name = "Todo_Prod"
  }

  expect_failures = [var.name]
}

# ---------------------------------------------------------------- module: alb

run "alb_is_internal_and_admits_only_the_vpc_link" {
  command = plan

  override_resource {
    target          = aws_security_group.client
    override_during = plan
    values          = { id = "sg-vpclink" }
  }

  override_resource {
    target          = aws_security_group.alb
    override_during = plan
    values          = { id = "sg-alb" }
  }

  module {
    source = "./modules/alb"
  }

  variables {
    vpc_id     = "vpc-0123456789abcdef0"
    subnet_ids = ["subnet-private-a", "subnet-private-b"]
  }

  assert {
    condition     = aws_lb.this.internal == true
    error_message = "The ALB must be internal."
  }

  assert {
    condition     = toset(aws_lb.this.subnets) == toset(["subnet-private-a", "subnet-private-b"])
    error_message = "The ALB must sit in the given private subnets."
  }

  assert {
    condition = (
      aws_vpc_security_group_ingress_rule.alb_from_client.cidr_ipv4 == null &&
      aws_vpc_security_group_ingress_rule.alb_from_client.cidr_ipv6 == null &&
      aws_vpc_security_group_ingress_rule.alb_from_client.referenced_security_group_id == "sg-vpclink"
    )
    error_message = "The ALB must admit only the VPC Link's security group, never a CIDR such as 0.0.0.0/0."
  }

  assert {
    condition     = aws_lb_target_group.app.health_check[0].path == "/health" && aws_lb_target_group.app.health_check[0].matcher == "200"
    error_message = "The target group must check /health for a 200."
  }
}

# ------------------------------------------------------------ module: compute

run "compute_instances_are_locked_down" {
  command = plan

  module {
    source = "./modules/compute"
  }

  variables {
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
    condition     = strcontains(local.user_data, "User=todo") && strcontains(local.user_data, "GUNICORN_BIND=0.0.0.0:8080")
    error_message = "gunicorn must run as the non-root user todo, on the ALB's target port."
  }

  assert {
    condition     = strcontains(local.user_data, "PUBLIC_API_ORIGIN=https://abc123.execute-api.us-east-1.amazonaws.com\n")
    error_message = "The app must build absolute URLs from the API's public origin."
  }
}

# ---------------------------------------------------------------- module: api

run "api_todo_routes_need_the_authorizer" {
  command = plan

  override_resource {
    target          = aws_apigatewayv2_authorizer.cognito
    override_during = plan
    values          = { id = "authz-cognito" }
  }

  module {
    source = "./modules/api"
  }

  variables {
    subnet_ids                  = ["subnet-private-a", "subnet-private-b"]
    vpc_link_security_group_ids = ["sg-0c0c0c0c0c0c0c0c0"]
    listener_arn                = "arn:aws:elasticloadbalancing:us-east-1:123456789012:listener/app/todo/0123/4567"
    jwt_issuer                  = "https://cognito-idp.us-east-1.amazonaws.com/us-east-1_TestPool1"
    jwt_audience                = ["testclientid0123456789"]
    cors_origins                = ["https://d111111abcdef8.cloudfront.net"]
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
    condition = toset([for route in aws_apigatewayv2_route.todo : route.route_key]) == toset([
      "GET /todos", "POST /todos", "PATCH /todos", "DELETE /todos",
      "GET /todos/{todo_id}", "PATCH /todos/{todo_id}", "DELETE /todos/{todo_id}",
    ])
    error_message = "The gateway's todo routes must match the app's routes."
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

# --------------------------------------------------------- module: data, auth

run "data_table_is_retained_and_matches_the_data_model" {
  command = plan

  module {
    source = "./modules/data"
  }

  variables {
    table_name = "todo-test-todos"
  }

  assert {
    condition     = aws_dynamodb_table.this.deletion_protection_enabled == true
    error_message = "The table must have deletion protection."
  }

  assert {
    condition     = aws_dynamodb_table.this.point_in_time_recovery[0].enabled == true
    error_message = "The table must have point-in-time recovery."
  }

  assert {
    condition     = aws_dynamodb_table.this.server_side_encryption[0].enabled == true
    error_message = "The table must be encrypted with KMS."
  }

  assert {
    condition = (
      aws_dynamodb_table.this.hash_key == "user_id" &&
      aws_dynamodb_table.this.range_key == "item_id" &&
      [for i in aws_dynamodb_table.this.local_secondary_index : i.name] == ["by_order"] &&
      aws_dynamodb_table.this.ttl[0].attribute_name == "expires_at" &&
      aws_dynamodb_table.this.billing_mode == "PAY_PER_REQUEST"
    )
    error_message = "The table must have the key schema of docs/data-model.md."
  }
}

run "auth_pool_is_retained_with_the_agreed_client" {
  command = plan

  module {
    source = "./modules/auth"
  }

  assert {
    condition     = aws_cognito_user_pool.this.deletion_protection == "ACTIVE"
    error_message = "The user pool must have deletion protection."
  }

  assert {
    condition     = aws_cognito_user_pool.this.username_attributes == toset(["email"]) && aws_cognito_user_pool.this.password_policy[0].minimum_length >= 12
    error_message = "Users must sign in with their email under a strong password policy."
  }

  assert {
    condition = (
      aws_cognito_user_pool_client.web.generate_secret == false &&
      aws_cognito_user_pool_client.web.prevent_user_existence_errors == "ENABLED" &&
      toset(aws_cognito_user_pool_client.web.explicit_auth_flows) == toset(["ALLOW_USER_SRP_AUTH", "ALLOW_USER_PASSWORD_AUTH", "ALLOW_REFRESH_TOKEN_AUTH"])
    )
    error_message = "The app client must be public, hide user existence and allow exactly the agreed flows."
  }
}

run "auth_pool_uses_cognitos_sender_by_default" {
  command = plan

  module {
    source = "./modules/auth"
  }

  assert {
    condition     = one(aws_cognito_user_pool.this.email_configuration).email_sending_account == "COGNITO_DEFAULT"
    error_message = "Without an SES identity the pool must use Cognito's own sender."
  }
}

run "auth_pool_sends_through_ses_when_given_an_identity" {
  command = plan

  module {
    source = "./modules/auth"
  }

  variables {
    ses_identity_arn = "arn:aws:ses:us-east-1:123456789012:identity/example.com"
    email_from       = "Todo <no-reply@example.com>"
  }

  assert {
    condition = (
      one(aws_cognito_user_pool.this.email_configuration).email_sending_account == "DEVELOPER" &&
      one(aws_cognito_user_pool.this.email_configuration).source_arn == "arn:aws:ses:us-east-1:123456789012:identity/example.com" &&
      one(aws_cognito_user_pool.this.email_configuration).from_email_address == "Todo <no-reply@example.com>"
    )
    error_message = "With an SES identity the pool must send through it, from the given address."
  }
}

run "auth_pool_rejects_a_from_address_without_an_ses_identity" {
  command = plan

  module {
    source = "./modules/auth"
  }

  variables {
    email_from = "Todo <no-reply@example.com>"
  }

  expect_failures = [aws_cognito_user_pool.this]
}

run "auth_pool_rejects_what_is_not_an_ses_identity" {
  command = plan

  module {
    source = "./modules/auth"
  }

  variables {
    ses_identity_arn = "arn:aws:s3:::not-an-identity"
    email_from       = "not-an-address"
  }

  expect_failures = [var.ses_identity_arn, var.email_from]
}

# ------------------------------------------------------------- module: network

run "network_one_nat_gateway_by_default" {
  command = plan

  override_resource {
    target          = aws_route_table.private
    override_during = plan
    values          = { id = "rtb-private" }
  }

  module {
    source = "./modules/network"
  }

  assert {
    condition     = length(aws_nat_gateway.this) == 1
    error_message = "single_nat_gateway (the default) must create one NAT gateway."
  }

  assert {
    condition     = length(aws_subnet.private) == 2 && length(toset([for s in aws_subnet.private : s.availability_zone])) == 2
    error_message = "By default the private subnets must span two zones."
  }

  assert {
    condition     = alltrue([for s in aws_subnet.public : s.map_public_ip_on_launch == false])
    error_message = "Public subnets must not hand out public IPs."
  }

  assert {
    condition     = toset(aws_vpc_endpoint.dynamodb.route_table_ids) == toset(aws_route_table.private[*].id)
    error_message = "Every private route table must route DynamoDB through the gateway endpoint."
  }
}

run "network_one_nat_gateway_per_zone" {
  command = plan

  module {
    source = "./modules/network"
  }

  variables {
    single_nat_gateway = false
    az_count           = 3
  }

  assert {
    condition     = length(aws_nat_gateway.this) == 3
    error_message = "single_nat_gateway = false must create one NAT gateway per zone."
  }

  assert {
    condition     = length(aws_route.private_nat) == 3 && length(aws_eip.nat) == 3
    error_message = "Each zone's private route table must get a route to a NAT gateway with its own address."
  }
}

# ------------------------------------------------------------ module: frontend

run "frontend_is_private_behind_https_with_security_headers" {
  command = plan

  module {
    source = "./modules/frontend"
  }

  variables {
    csp_connect_sources = ["https://*.execute-api.us-east-1.amazonaws.com", "https://cognito-idp.us-east-1.amazonaws.com"]
  }

  override_resource {
    target          = aws_cloudfront_response_headers_policy.security
    override_during = plan
    values          = { id = "headers-policy" }
  }

  override_resource {
    target          = aws_cloudfront_origin_access_control.web
    override_during = plan
    values          = { id = "oac-web" }
  }

  assert {
    condition     = aws_cloudfront_distribution.web.default_cache_behavior[0].response_headers_policy_id == "headers-policy"
    error_message = "The distribution must attach the security headers policy."
  }

  assert {
    condition     = strcontains(aws_cloudfront_response_headers_policy.security[0].security_headers_config[0].content_security_policy[0].content_security_policy, "connect-src 'self' https://*.execute-api.us-east-1.amazonaws.com https://cognito-idp.us-east-1.amazonaws.com")
    error_message = "The CSP must let the web app reach the API and Cognito, and nothing else."
  }

  assert {
    condition     = [for o in aws_cloudfront_distribution.web.origin : o.origin_access_control_id] == ["oac-web"]
    error_message = "CloudFront must read the bucket through Origin Access Control (not OAI)."
  }

  assert {
    condition     = aws_cloudfront_distribution.web.default_cache_behavior[0].viewer_protocol_policy == "redirect-to-https"
    error_message = "Viewers must be sent to HTTPS."
  }

  assert {
    condition = (
      one(data.aws_iam_policy_document.cloudfront_reads_objects.statement[0].condition).values
      == tolist(["arn:aws:cloudfront::123456789012:distribution/EDFDVBD6EXAMPLE"])
    )
    error_message = "Only this distribution may read the web bucket."
  }

  assert {
    condition = toset([for r in aws_cloudfront_distribution.web.custom_error_response : "${r.error_code}:${r.response_code}:${r.response_page_path}"]) == toset([
      "403:200:/index.html", "404:200:/index.html",
    ])
    error_message = "Unknown paths must fall back to index.html (single-page app)."
  }
}

# ------------------------------------------------------ module: private_bucket

run "private_bucket_is_private_encrypted_versioned_and_tls_only" {
  command = plan

  module {
    source = "./modules/private_bucket"
  }

  variables {
    name_prefix      = "todo-test-things-"
    policy_documents = ["{\"Version\":\"2012-10-17\",\"Statement\":[]}"]
  }

  assert {
    condition = alltrue([
      aws_s3_bucket_public_access_block.this.block_public_acls,
      aws_s3_bucket_public_access_block.this.block_public_policy,
      aws_s3_bucket_public_access_block.this.ignore_public_acls,
      aws_s3_bucket_public_access_block.this.restrict_public_buckets,
    ])
    error_message = "The bucket must block all public access."
  }

  assert {
    condition     = aws_s3_bucket_ownership_controls.this.rule[0].object_ownership == "BucketOwnerEnforced"
    error_message = "The bucket must disable ACLs (bucket owner enforced)."
  }

  assert {
    condition = (
      one(one(aws_s3_bucket_server_side_encryption_configuration.this.rule).apply_server_side_encryption_by_default).sse_algorithm == "aws:kms" &&
      one(aws_s3_bucket_server_side_encryption_configuration.this.rule).bucket_key_enabled
    )
    error_message = "By default the bucket must be encrypted with KMS, through an S3 Bucket Key."
  }

  assert {
    condition     = aws_s3_bucket_versioning.this.versioning_configuration[0].status == "Enabled"
    error_message = "The bucket must be versioned."
  }

  assert {
    condition     = aws_s3_bucket.this.force_destroy == false
    error_message = "A bucket must not be emptied on destroy unless the caller says its contents can be rebuilt."
  }

  assert {
    condition = (
      data.aws_iam_policy_document.this.statement[0].effect == "Deny" &&
      data.aws_iam_policy_document.this.statement[0].actions == toset(["s3:*"]) &&
      one(data.aws_iam_policy_document.this.statement[0].condition).variable == "aws:SecureTransport" &&
      one(data.aws_iam_policy_document.this.statement[0].condition).values == tolist(["false"])
    )
    error_message = "The bucket policy must deny every request not made over TLS."
  }

  assert {
    condition     = data.aws_iam_policy_document.this.source_policy_documents == var.policy_documents
    error_message = "The caller's policy statements must join the bucket policy."
  }
}

run "private_bucket_sse_s3_has_no_bucket_key" {
  command = plan

  module {
    source = "./modules/private_bucket"
  }

  variables {
    name_prefix   = "todo-test-web-"
    sse_algorithm = "AES256"
  }

  assert {
    condition     = one(aws_s3_bucket_server_side_encryption_configuration.this.rule).bucket_key_enabled == null
    error_message = "SSE-S3 takes no S3 Bucket Key setting."
  }
}

run "private_bucket_rejects_a_name_prefix_s3_would_refuse" {
  command = plan

  module {
    source = "./modules/private_bucket"
  }

  variables {
    name_prefix = "A-Bucket-Name-That-Is-Far-Too-Long-For-S3-"
  }

  expect_failures = [var.name_prefix]
}

# ------------------------------------------------------------------ monitoring
# The module on its own (every alarm, the topic, the optional email, the dashboard,
# the log group) and wired into the stack (the compute module's CloudWatch agent
# ships to that group). Thresholds and reasons: docs/operations.md.

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
      ]) : alarm.alarm_actions == toset([aws_sns_topic.alarms.arn]) && alarm.ok_actions == toset([aws_sns_topic.alarms.arn]) && length(alarm.alarm_description) > 40
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
