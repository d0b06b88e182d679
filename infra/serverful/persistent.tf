# The persistent root (infra/foundation) owns the table and the user pool; this
# root only reads their names and IDs, so destroying it can never touch them.
data "terraform_remote_state" "persistent" {
  backend = var.persistent_state.backend
  config  = var.persistent_state.config
}

locals {
  persistent = data.terraform_remote_state.persistent.outputs
}
