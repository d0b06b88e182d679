# The key schema is docs/data-model.md, the same one the PynamoDB models and the SAM
# template use. It lives in the persistent root; DynamoDB deletion protection refuses
# to delete (or replace) it while deletion_protection is on.
resource "aws_dynamodb_table" "this" {
  name                        = var.table_name
  billing_mode                = "PAY_PER_REQUEST"
  hash_key                    = "user_id"
  range_key                   = "item_id"
  deletion_protection_enabled = var.deletion_protection

  attribute {
    name = "user_id"
    type = "S"
  }

  attribute {
    name = "item_id"
    type = "S"
  }

  attribute {
    name = "order_key"
    type = "S"
  }

  local_secondary_index {
    name            = "by_order"
    range_key       = "order_key"
    projection_type = "ALL"
  }

  ttl {
    attribute_name = "expires_at"
    enabled        = true
  }

  point_in_time_recovery {
    enabled = true
  }

  server_side_encryption {
    enabled     = true
    kms_key_arn = var.kms_key_arn
  }
}
