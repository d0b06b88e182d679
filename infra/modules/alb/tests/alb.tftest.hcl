# Plan-mode tests of the alb module's promises (mocked AWS provider: infra/tests/mocks).

mock_provider "aws" {
  override_during = plan
  source          = "../../tests/mocks"
}

variables {
  name = "todo-test"
}

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

# The module's README example (examples/minimal) plans as written.
run "example_minimal_plans" {
  command = plan

  module {
    source = "./examples/minimal"
  }
}
