terraform {
  required_version = ">= 1.5"

  required_providers {
    aws = {
      source  = "hashicorp/aws"
      version = "~> 5.100"
    }
  }

  # Local state by default (path set with -backend-config by tools/deploy_serverful.py);
  # TF_STATE_BUCKET switches both roots to the S3 backend (see docs/serverful.md).
  backend "local" {}
}
