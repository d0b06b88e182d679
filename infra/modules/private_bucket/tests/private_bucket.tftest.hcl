# Plan-mode tests of the private_bucket module's promises (mocked AWS provider: infra/tests/mocks).

mock_provider "aws" {
  override_during = plan
  source          = "../../tests/mocks"
}

variables {
  name = "todo-test"
}

run "private_bucket_is_private_encrypted_versioned_and_tls_only" {
  command = plan

  variables {
    name_prefix      = "todo-test-things-"
    policy_documents = ["{\"Version\":\"2012-10-17\",\"Statement\":[]}"]
  }

  assert {
    condition = alltrue([
      aws_s3_bucket_public_access_block.this.block_public_acls,
      aws_s3_bucket_public_access_block.this.block_public_policy,
      aws_s3_bucket_public_access_block.this.ignore_public_acls,
      aws_s3_bucket_public_access_block.this.restrict_public_buckets,
    ])
    error_message = "The bucket must block all public access."
  }

  assert {
    condition     = aws_s3_bucket_ownership_controls.this.rule[0].object_ownership == "BucketOwnerEnforced"
    error_message = "The bucket must disable ACLs (bucket owner enforced)."
  }

  assert {
    condition = (
      one(one(aws_s3_bucket_server_side_encryption_configuration.this.rule).apply_server_side_encryption_by_default).sse_algorithm == "aws:kms" &&
      one(aws_s3_bucket_server_side_encryption_configuration.this.rule).bucket_key_enabled
    )
    error_message = "By default the bucket must be encrypted with KMS, through an S3 Bucket Key."
  }

  assert {
    condition     = aws_s3_bucket_versioning.this.versioning_configuration[0].status == "Enabled"
    error_message = "The bucket must be versioned."
  }

  assert {
    condition     = aws_s3_bucket.this.force_destroy == false
    error_message = "A bucket must not be emptied on destroy unless the caller says its contents can be rebuilt."
  }

  assert {
    condition = (
      data.aws_iam_policy_document.this.statement[0].effect == "Deny" &&
      data.aws_iam_policy_document.this.statement[0].actions == toset(["s3:*"]) &&
      one(data.aws_iam_policy_document.this.statement[0].condition).variable == "aws:SecureTransport" &&
      one(data.aws_iam_policy_document.this.statement[0].condition).values == tolist(["false"])
    )
    error_message = "The bucket policy must deny every request not made over TLS."
  }

  assert {
    condition     = data.aws_iam_policy_document.this.source_policy_documents == var.policy_documents
    error_message = "The caller's policy statements must join the bucket policy."
  }
}

run "private_bucket_sse_s3_has_no_bucket_key" {
  command = plan

  variables {
    name_prefix   = "todo-test-web-"
    sse_algorithm = "AES256"
  }

  assert {
    condition     = one(aws_s3_bucket_server_side_encryption_configuration.this.rule).bucket_key_enabled == null
    error_message = "SSE-S3 takes no S3 Bucket Key setting."
  }
}

run "private_bucket_rejects_a_name_prefix_s3_would_refuse" {
  command = plan

  variables {
    name_prefix = "A-Bucket-Name-That-Is-Far-Too-Long-For-S3-"
  }

  expect_failures = [var.name_prefix]
}

# The module's README example (examples/minimal) plans as written.
run "example_minimal_plans" {
  command = plan

  module {
    source = "./examples/minimal"
  }
}
