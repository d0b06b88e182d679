locals {
  # AWS managed cache policy "Managed-CachingOptimized" (a fixed, documented ID;
  # a data source lookup would add an API call for a constant).
  caching_optimized_policy_id = "658327ea-f89d-4fab-a63d-7e88639e58f6"
  s3_origin_id                = "web-bucket"
  headers_policy_id = (
    var.security_headers_policy_id != null
    ? var.security_headers_policy_id
    : aws_cloudfront_response_headers_policy.security[0].id
  )
}

module "bucket" {
  source = "../private_bucket"

  name_prefix = "${var.name}-web-"
  # Holds only the built web app, which `make deploy-web` can always re-upload.
  force_destroy = true
  # SSE-S3: CloudFront's origin access control reads it without a KMS key policy.
  sse_algorithm    = "AES256"
  policy_documents = [data.aws_iam_policy_document.cloudfront_reads_objects.json]
}

resource "aws_cloudfront_origin_access_control" "web" {
  name                              = "${var.name}-web"
  description                       = "CloudFront reads the private web bucket with SigV4"
  origin_access_control_origin_type = "s3"
  signing_behavior                  = "always"
  signing_protocol                  = "sigv4"
}

resource "aws_cloudfront_response_headers_policy" "security" {
  count = var.security_headers_policy_id == null ? 1 : 0

  name    = "${var.name}-security-headers"
  comment = "HSTS, CSP, no framing, no sniffing, strict referrer"

  security_headers_config {
    strict_transport_security {
      access_control_max_age_sec = 63072000
      include_subdomains         = true
      preload                    = true
      override                   = true
    }
    content_security_policy {
      content_security_policy = join("; ", [
        "default-src 'self'",
        "script-src 'self'",
        "style-src 'self' 'unsafe-inline'",
        "img-src 'self' data:",
        "connect-src 'self' ${join(" ", var.csp_connect_sources)}",
        "object-src 'none'",
        "base-uri 'self'",
        "form-action 'self'",
        "frame-ancestors 'none'",
      ])
      override = true
    }
    content_type_options {
      override = true
    }
    frame_options {
      frame_option = "DENY"
      override     = true
    }
    referrer_policy {
      referrer_policy = "strict-origin-when-cross-origin"
      override        = true
    }
    xss_protection {
      protection = true
      mode_block = true
      override   = true
    }
  }
}

resource "aws_cloudfront_distribution" "web" {
  enabled             = true
  is_ipv6_enabled     = true
  comment             = "${var.name} web app"
  default_root_object = "index.html"
  price_class         = var.price_class
  http_version        = "http2and3"

  origin {
    origin_id                = local.s3_origin_id
    domain_name              = module.bucket.regional_domain_name
    origin_access_control_id = aws_cloudfront_origin_access_control.web.id
  }

  default_cache_behavior {
    target_origin_id           = local.s3_origin_id
    viewer_protocol_policy     = "redirect-to-https"
    allowed_methods            = ["GET", "HEAD", "OPTIONS"]
    cached_methods             = ["GET", "HEAD"]
    compress                   = true
    cache_policy_id            = local.caching_optimized_policy_id
    response_headers_policy_id = local.headers_policy_id
  }

  # Single-page app: unknown paths (S3 answers 403 without ListBucket) serve
  # index.html, and the client-side router takes over.
  custom_error_response {
    error_code            = 403
    response_code         = 200
    response_page_path    = "/index.html"
    error_caching_min_ttl = 0
  }

  custom_error_response {
    error_code            = 404
    response_code         = 200
    response_page_path    = "/index.html"
    error_caching_min_ttl = 0
  }

  restrictions {
    geo_restriction {
      restriction_type = "none"
    }
  }

  # The default *.cloudfront.net certificate (no custom domain). AWS fixes its minimum
  # protocol itself, so setting one here would only show a diff on every plan.
  viewer_certificate {
    cloudfront_default_certificate = true
  }
}

# Only this distribution may read the bucket (the module adds: only over TLS).
data "aws_iam_policy_document" "cloudfront_reads_objects" {
  statement {
    sid       = "CloudFrontReadsObjects"
    actions   = ["s3:GetObject"]
    resources = ["${module.bucket.arn}/*"]
    principals {
      type        = "Service"
      identifiers = ["cloudfront.amazonaws.com"]
    }
    condition {
      test     = "StringEquals"
      variable = "AWS:SourceArn"
      values   = [aws_cloudfront_distribution.web.arn]
    }
  }
}
