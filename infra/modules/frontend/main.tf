locals {
  # AWS managed cache policy "Managed-CachingOptimized" (a fixed, documented ID;
  # a data source lookup would add an API call for a constant).
  caching_optimized_policy_id = "658327ea-f89d-4fab-a63d-7e88639e58f6"
  # The API: "Managed-CachingDisabled", and "Managed-AllViewerExceptHostHeader" so the
  # origin gets Authorization, the query string and the body (its own Host, which API
  # Gateway needs to find the API).
  caching_disabled_policy_id       = "4135ea2d-6df8-44a3-9df3-4b5a84be39ad"
  all_viewer_except_host_policy_id = "b689b0a8-53d0-40ab-baf2-68738e2966ac"
  s3_origin_id                     = "web-bucket"
  api_origin_id                    = "api"
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

resource "aws_cloudfront_function" "spa_routes" {
  name    = "${var.name}-spa-routes"
  runtime = "cloudfront-js-2.0"
  comment = "Client-side routes (no file extension) serve /index.html"
  publish = var.publish_function
  code    = file("${path.module}/spa_routes.js")
}

resource "aws_cloudfront_distribution" "web" {
  enabled             = true
  is_ipv6_enabled     = true
  comment             = "${var.name} web app"
  default_root_object = "index.html"
  price_class         = var.price_class
  http_version        = "http2and3"

  web_acl_id = var.web_acl_arn

  origin {
    origin_id                = local.s3_origin_id
    domain_name              = module.bucket.regional_domain_name
    origin_access_control_id = aws_cloudfront_origin_access_control.web.id
  }

  # The active backend (docs/foundation.md): the REST API's stage or the HTTP API.
  dynamic "origin" {
    for_each = var.api_origin == null ? [] : [var.api_origin]
    content {
      origin_id   = local.api_origin_id
      domain_name = origin.value.domain_name
      origin_path = origin.value.origin_path

      custom_origin_config {
        http_port              = 80
        https_port             = 443
        origin_protocol_policy = "https-only"
        origin_ssl_protocols   = ["TLSv1.2"]
      }
    }
  }

  # The API's paths go to the backend, uncached, with every viewer header but Host.
  dynamic "ordered_cache_behavior" {
    for_each = var.api_origin == null ? [] : var.api_path_patterns
    content {
      path_pattern               = ordered_cache_behavior.value
      target_origin_id           = local.api_origin_id
      viewer_protocol_policy     = "https-only"
      allowed_methods            = ["GET", "HEAD", "OPTIONS", "PUT", "POST", "PATCH", "DELETE"]
      cached_methods             = ["GET", "HEAD"]
      compress                   = true
      cache_policy_id            = local.caching_disabled_policy_id
      origin_request_policy_id   = local.all_viewer_except_host_policy_id
      response_headers_policy_id = local.headers_policy_id
    }
  }

  default_cache_behavior {
    target_origin_id           = local.s3_origin_id
    viewer_protocol_policy     = "redirect-to-https"
    allowed_methods            = ["GET", "HEAD", "OPTIONS"]
    cached_methods             = ["GET", "HEAD"]
    compress                   = true
    cache_policy_id            = local.caching_optimized_policy_id
    response_headers_policy_id = local.headers_policy_id

    # Single-page app: a path without a file extension is a client-side route.
    # (Not custom error responses: they would turn the API's own 403s and 404s
    # into index.html too.)
    function_association {
      event_type   = "viewer-request"
      function_arn = aws_cloudfront_function.spa_routes.arn
    }
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
