# The EC2 compute path: everything that can be destroyed and rebuilt at will (network,
# ALB, instances, HTTP API + VPC Link, their alarms). The table, the user pool, the
# front door, WAF and the alarm topic are the foundation's (infra/foundation,
# read in persistent.tf). Every resource lives in a module.

locals {
  # The front door (the foundation's CloudFront) is the web app's and the API's origin.
  front_door  = local.persistent.web_url
  web_origins = concat([local.front_door], var.extra_cors_origins)
}

module "network" {
  source = "../modules/network"

  name               = var.name
  cidr_block         = var.vpc_cidr
  az_count           = var.az_count
  single_nat_gateway = var.single_nat_gateway

  permissions_boundary_arn = var.permissions_boundary_arn
}

module "alb" {
  source = "../modules/alb"

  name        = var.name
  vpc_id      = module.network.vpc_id
  subnet_ids  = module.network.private_subnet_ids
  target_port = var.app_port
}

module "compute" {
  source = "../modules/compute"

  name                      = var.name
  vpc_id                    = module.network.vpc_id
  subnet_ids                = module.network.private_subnet_ids
  artifact_path             = var.artifact_path
  ami_id                    = var.ami_id
  permissions_boundary_arn  = var.permissions_boundary_arn
  instance_type             = var.instance_type
  app_port                  = var.app_port
  alb_security_group_id     = module.alb.security_group_id
  target_group_arn          = module.alb.target_group_arn
  table_name                = local.persistent.table_name
  table_arn                 = local.persistent.table_arn
  user_pool_id              = local.persistent.user_pool_id
  user_pool_client_id       = local.persistent.user_pool_client_id
  cors_origins              = local.web_origins
  public_api_origin         = local.front_door
  min_size                  = var.min_size
  max_size                  = var.max_size
  cpu_target_percent        = var.cpu_target_percent
  wait_for_capacity_timeout = var.wait_for_capacity_timeout
  app_log_group_name        = module.monitoring.app_log_group_name
  app_log_group_arn         = module.monitoring.app_log_group_arn
}

module "api" {
  source = "../modules/api"

  name                        = var.name
  subnet_ids                  = module.network.private_subnet_ids
  vpc_link_security_group_ids = [module.alb.client_security_group_id]
  listener_arn                = module.alb.listener_arn
  jwt_issuer                  = local.persistent.issuer
  jwt_audience                = [local.persistent.user_pool_client_id]
  cors_origins                = local.web_origins
  throttling_rate_limit       = var.throttling_rate_limit
  throttling_burst_limit      = var.throttling_burst_limit
  log_retention_days          = var.log_retention_days
}

# Alarms (to the foundation's topic), the dashboard and the app log group (docs/operations.md).
module "monitoring" {
  source = "../modules/monitoring"

  name                   = var.name
  alarm_topic_arn        = local.persistent.alarm_topic_arn
  log_retention_days     = var.log_retention_days
  api_id                 = module.api.api_id
  alb_arn                = module.alb.alb_arn
  target_group_arn       = module.alb.target_group_arn
  autoscaling_group_name = module.compute.autoscaling_group_name
  min_size               = var.min_size
  table_name             = local.persistent.table_name
}
