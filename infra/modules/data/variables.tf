variable "table_name" {
  description = "Name of the DynamoDB table (the app reads it from TABLE_NAME)."
  type        = string

  validation {
    condition     = can(regex("^[a-zA-Z0-9_.-]{3,255}$", var.table_name))
    error_message = "table_name must be 3-255 characters of letters, digits, '_', '-' or '.'."
  }
}

variable "kms_key_arn" {
  description = "Customer managed KMS key for encryption at rest; null uses the AWS managed key (aws/dynamodb)."
  type        = string
  default     = null

  validation {
    condition     = var.kms_key_arn == null || can(regex("^arn:aws[a-z-]*:kms:", var.kms_key_arn))
    error_message = "kms_key_arn must be a KMS key ARN or null."
  }
}

variable "deletion_protection" {
  description = "DynamoDB deletion protection: while on, no delete or replacement of the table can succeed."
  type        = bool
  default     = true
}
