terraform {
  required_version = ">= 1.5"

  required_providers {
    aws = {
      source  = "hashicorp/aws"
      version = "~> 5.100"
    }
  }

  # Local state by default (path set with -backend-config by tools/deploy_serverful.py);
  # TF_STATE_BUCKET=<bucket> switches to the S3 backend with S3-native locking:
  # the script writes backend_override.tf (git-ignored) and passes the settings.
  backend "local" {}
}
