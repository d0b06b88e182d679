variable "name" {
  description = "Prefix for the bucket and CloudFront resource names (the stack name)."
  type        = string
}

variable "csp_connect_sources" {
  description = "Origins the web app may call (Content-Security-Policy connect-src): the API and Cognito."
  type        = list(string)

  validation {
    condition     = alltrue([for s in var.csp_connect_sources : can(regex("^https://", s))])
    error_message = "Each connect source must be an https:// origin (wildcard hosts allowed)."
  }
}

variable "price_class" {
  description = "CloudFront price class (which edge locations serve the site)."
  type        = string
  default     = "PriceClass_100"

  validation {
    condition     = contains(["PriceClass_100", "PriceClass_200", "PriceClass_All"], var.price_class)
    error_message = "price_class must be PriceClass_100, PriceClass_200 or PriceClass_All."
  }
}

variable "security_headers_policy_id" {
  description = "Use this existing response headers policy instead of creating one (null: create the module's policy with a CSP). The local rehearsal sets it because moto lacks response headers policies."
  type        = string
  default     = null
}
