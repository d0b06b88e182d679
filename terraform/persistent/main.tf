# The persistent root: what must outlive the app (the users and their todos).
# `make destroy-serverful` never touches this state; destroying it is a deliberate,
# documented step (docs/serverful.md, "Destroying the data on purpose").

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
