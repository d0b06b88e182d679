# Plan-mode tests of the network module's promises (mocked AWS provider: infra/tests/mocks).

mock_provider "aws" {
  override_during = plan
  source          = "../../tests/mocks"
}

variables {
  name = "todo-test"
}

run "network_one_nat_gateway_by_default" {
  command = plan

  override_resource {
    target          = aws_route_table.private
    override_during = plan
    values          = { id = "rtb-private" }
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

# The module's README example (examples/minimal) plans as written.
run "example_minimal_plans" {
  command = plan

  module {
    source = "./examples/minimal"
  }
}
