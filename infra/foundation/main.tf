# The foundation (docs/foundation.md): everything both architectures share and that
# must outlive either - the users, their todos, the front door (web bucket, CloudFront,
# WAF) and the alarm topic. Each is defined here once; the serverless stack
# (infra/serverless/merge.yaml) and the EC2 root (infra/serverful) read the outputs and add
# only compute. `make destroy-serverful` never touches this state; destroying it is a
# deliberate, documented step (docs/serverful.md, "Destroying the data on purpose").

locals {
  enable_waf = coalesce(var.enable_waf, var.stage == "prod")
}

module "auth" {
  source = "../modules/auth"

  name                = var.name
  mfa                 = var.mfa
  ses_identity_arn    = var.ses_identity_arn
  email_from          = var.email_from
  threat_protection   = var.threat_protection
  deletion_protection = var.deletion_protection
}

module "data" {
  source = "../modules/data"

  table_name          = coalesce(var.table_name, "${var.name}-todos")
  deletion_protection = var.deletion_protection
}

# The front door: the web app, and the API's paths routed to the active backend
# (var.backend, set by the deploy and `make switch`). The API is on the web app's own
# origin, so the CSP names only Cognito besides 'self'.
module "frontend" {
  source = "../modules/frontend"

  name                       = var.name
  csp_connect_sources        = ["https://cognito-idp.${var.region}.amazonaws.com"]
  security_headers_policy_id = var.security_headers_policy_id
  publish_function           = var.publish_function
  web_acl_arn                = local.enable_waf ? module.waf[0].web_acl_arn : null
  api_origin = var.backend == null ? null : {
    domain_name = var.backend.domain_name
    origin_path = var.backend.origin_path
  }
}

# Request limits per user and per client on the front door (docs/foundation.md).
module "waf" {
  source = "../modules/waf"
  count  = local.enable_waf ? 1 : 0
  providers = {
    aws = aws.us_east_1
  }

  name               = var.name
  token_rate_limit   = var.waf_token_rate_limit
  ip_rate_limit      = var.waf_ip_rate_limit
  log_retention_days = var.log_retention_days
}

module "alarm_topic" {
  source = "../modules/alarm_topic"

  name        = var.name
  alarm_email = var.alarm_email
}
