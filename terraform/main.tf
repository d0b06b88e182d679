# The serverful stack: modules composed with settings; every resource lives in a module.

locals {
  table_name  = coalesce(var.table_name, "${var.name}-todos")
  web_origins = concat([module.frontend.web_url], var.extra_cors_origins)
}

module "network" {
  source = "./modules/network"

  name               = var.name
  cidr_block         = var.vpc_cidr
  az_count           = var.az_count
  single_nat_gateway = var.single_nat_gateway
}

module "auth" {
  source = "./modules/auth"

  name             = var.name
  mfa              = var.mfa
  ses_identity_arn = var.ses_identity_arn
  email_from       = var.email_from
}

module "data" {
  source = "./modules/data"

  table_name = local.table_name
}

module "alb" {
  source = "./modules/alb"

  name        = var.name
  vpc_id      = module.network.vpc_id
  subnet_ids  = module.network.private_subnet_ids
  target_port = var.app_port
}

module "compute" {
  source = "./modules/compute"

  name                      = var.name
  vpc_id                    = module.network.vpc_id
  subnet_ids                = module.network.private_subnet_ids
  artifact_path             = var.artifact_path
  instance_type             = var.instance_type
  app_port                  = var.app_port
  alb_security_group_id     = module.alb.security_group_id
  target_group_arn          = module.alb.target_group_arn
  table_name                = module.data.table_name
  table_arn                 = module.data.table_arn
  user_pool_id              = module.auth.user_pool_id
  user_pool_client_id       = module.auth.user_pool_client_id
  cors_origins              = local.web_origins
  public_api_origin         = module.api.api_url
  min_size                  = var.min_size
  max_size                  = var.max_size
  cpu_target_percent        = var.cpu_target_percent
  wait_for_capacity_timeout = var.wait_for_capacity_timeout
  app_log_group_name        = module.monitoring.app_log_group_name
  app_log_group_arn         = module.monitoring.app_log_group_arn
}

module "api" {
  source = "./modules/api"

  name                        = var.name
  subnet_ids                  = module.network.private_subnet_ids
  vpc_link_security_group_ids = [module.alb.client_security_group_id]
  listener_arn                = module.alb.listener_arn
  jwt_issuer                  = module.auth.issuer
  jwt_audience                = [module.auth.user_pool_client_id]
  cors_origins                = local.web_origins
  throttling_rate_limit       = var.throttling_rate_limit
  throttling_burst_limit      = var.throttling_burst_limit
  log_retention_days          = var.log_retention_days
}

module "monitoring" {
  source = "./modules/monitoring"

  name                   = var.name
  alarm_email            = var.alarm_email
  log_retention_days     = var.log_retention_days
  api_id                 = module.api.api_id
  alb_arn                = module.alb.alb_arn
  target_group_arn       = module.alb.target_group_arn
  autoscaling_group_name = module.compute.autoscaling_group_name
  min_size               = var.min_size
  table_name             = module.data.table_name
}

module "frontend" {
  source = "./modules/frontend"

  name = var.name
  csp_connect_sources = [
    "https://*.execute-api.${var.region}.amazonaws.com",
    "https://cognito-idp.${var.region}.amazonaws.com",
  ]
  security_headers_policy_id = var.security_headers_policy_id
}
