locals {
  # Set only for the local rehearsal: every AWS API goes to one moto server.
  is_local = var.local_endpoint != null
}

provider "aws" {
  region = var.region

  # Fake credentials are fine against moto; never skip these checks on AWS.
  skip_credentials_validation = local.is_local
  skip_metadata_api_check     = local.is_local
  skip_region_validation      = local.is_local

  endpoints {
    cognitoidp = var.local_endpoint
    dynamodb   = var.local_endpoint
    sts        = var.local_endpoint
  }

  default_tags {
    tags = {
      Project   = "todo"
      Stack     = var.name
      Flavor    = "serverful"
      Root      = "persistent"
      ManagedBy = "terraform"
    }
  }
}
