# The mocked AWS provider every `terraform test` file shares (plan mode, no credentials,
# no network): plausible IDs and ARNs, so the modules' input validations accept what the
# mocks produce and assertions can compare them. Use it with
#   mock_provider "aws" {
#     override_during = plan
#     source          = "<path to this directory>"
#   }

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
mock_resource "aws_launch_template" {
  defaults = { id = "lt-0mock", latest_version = 3 }
}
mock_resource "aws_lb" {
  defaults = { arn = "arn:aws:elasticloadbalancing:us-east-1:123456789012:loadbalancer/app/todo-mock-alb/0123456789abcdef" }
}
mock_resource "aws_wafv2_web_acl" {
  defaults = { arn = "arn:aws:wafv2:us-east-1:123456789012:regional/webacl/todo-mock-api/0123" }
}
mock_resource "aws_sns_topic" {
  defaults = { arn = "arn:aws:sns:us-east-1:123456789012:todo-mock-alarms" }
}
mock_resource "aws_kms_key" {
  defaults = { arn = "arn:aws:kms:us-east-1:123456789012:key/1234abcd-12ab-34cd-56ef-1234567890ab" }
}
mock_resource "aws_cloudwatch_metric_alarm" {
  defaults = { arn = "arn:aws:cloudwatch:us-east-1:123456789012:alarm:todo-mock" }
}
