variable "name" {
  description = "Prefix for the bucket and CloudFront resource names (the stack name)."
  type        = string
}

variable "csp_connect_sources" {
  description = "Origins besides its own the web app may call (Content-Security-Policy connect-src): Cognito. The API is on the same origin."
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

variable "api_origin" {
  description = "The active backend the API paths go to (docs/foundation.md): domain_name of the REST API or HTTP API, origin_path (\"/api\", the REST stage; \"\" for the HTTP API's $default). null: no API routed yet."
  type = object({
    domain_name = string
    origin_path = string
  })
  default = null

  validation {
    condition     = var.api_origin == null ? true : can(regex("^[a-z0-9.-]+$", var.api_origin.domain_name)) && can(regex("^(/[A-Za-z0-9_-]+)?$", var.api_origin.origin_path))
    error_message = "api_origin needs a bare host name (no scheme) and an origin_path that is \"\" or /<stage>."
  }
}

variable "api_path_patterns" {
  description = "Path patterns CloudFront sends to the API (openapi.yaml's paths)."
  type        = list(string)
  default     = ["/todos", "/todos/*", "/health", "/ready"]
}

variable "web_acl_arn" {
  description = "CloudFront-scope WAF web ACL on the distribution (null: none)."
  type        = string
  default     = null
}

variable "publish_function" {
  description = "Publish the SPA-routes CloudFront function to LIVE (the distribution runs the LIVE stage). Only the local rehearsal turns it off: moto has no PublishFunction."
  type        = bool
  default     = true
}
