output "vpc_id" {
  description = "ID of the VPC."
  value       = aws_vpc.this.id
}

output "vpc_cidr_block" {
  description = "IPv4 CIDR of the VPC."
  value       = aws_vpc.this.cidr_block
}

output "availability_zones" {
  description = "The availability zones the subnets are in, in subnet order."
  value       = local.azs
}

output "public_subnet_ids" {
  description = "IDs of the public subnets (NAT gateways only)."
  value       = aws_subnet.public[*].id
}

output "private_subnet_ids" {
  description = "IDs of the private subnets (instances, internal ALB, VPC Link)."
  value       = aws_subnet.private[*].id
}

output "private_route_table_ids" {
  description = "IDs of the private route tables."
  value       = aws_route_table.private[*].id
}

output "nat_gateway_ids" {
  description = "IDs of the NAT gateways (one, or one per zone)."
  value       = aws_nat_gateway.this[*].id
}

output "dynamodb_endpoint_id" {
  description = "ID of the DynamoDB gateway endpoint."
  value       = aws_vpc_endpoint.dynamodb.id
}

output "flow_logs_role_boundary" {
  description = "Permissions boundary of the flow logs role (null: none)."
  value       = aws_iam_role.flow_logs.permissions_boundary
}
