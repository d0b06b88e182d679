# CloudFront's WAF lives in us-east-1 whatever the stack's region (stack.tf has the
# default provider).
provider "aws" {
  alias  = "us_east_1"
  region = "us-east-1"

  skip_credentials_validation = local.is_local
  skip_metadata_api_check     = local.is_local
  skip_region_validation      = local.is_local

  endpoints {
    cloudwatchlogs = var.local_endpoint
    sts            = var.local_endpoint
    wafv2          = var.local_endpoint
  }

  default_tags {
    tags = {
      Project   = "todo"
      Stack     = var.name
      Root      = basename(abspath(path.root))
      ManagedBy = "terraform"
    }
  }
}
