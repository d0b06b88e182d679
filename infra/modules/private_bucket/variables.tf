variable "name_prefix" {
  description = "Prefix of the bucket's name; S3 appends a unique suffix."
  type        = string

  validation {
    condition     = can(regex("^[a-z0-9][a-z0-9-]{1,35}-$", var.name_prefix))
    error_message = "name_prefix must be 3-37 lowercase letters, digits or hyphens, ending with a hyphen."
  }
}

variable "force_destroy" {
  description = "Empty the bucket when it is destroyed. Only for buckets whose contents can be rebuilt (build outputs), never for data."
  type        = bool
  default     = false
}

variable "sse_algorithm" {
  description = "Default encryption: aws:kms (the AWS managed key) or AES256 (SSE-S3, which CloudFront's origin access control reads without a KMS key policy)."
  type        = string
  default     = "aws:kms"

  validation {
    condition     = contains(["aws:kms", "AES256"], var.sse_algorithm)
    error_message = "sse_algorithm must be aws:kms or AES256."
  }
}

variable "noncurrent_version_days" {
  description = "Days a replaced or deleted object version is kept before it expires."
  type        = number
  default     = 30

  validation {
    condition     = var.noncurrent_version_days >= 1 && floor(var.noncurrent_version_days) == var.noncurrent_version_days
    error_message = "noncurrent_version_days must be a whole number of days, at least 1."
  }
}

variable "policy_documents" {
  description = "IAM policy documents (JSON) whose statements join the bucket policy, next to the TLS-only Deny this module always adds."
  type        = list(string)
  default     = []
}

variable "policy_waits_for" {
  description = "Values whose resources must exist before the bucket policy is attached (e.g. a first upload that the TLS-only Deny would refuse in the local rehearsal, whose moto endpoint is plain HTTP)."
  type        = list(string)
  default     = []
}
