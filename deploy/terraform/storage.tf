# The data-lake bucket: private, encrypted, with lifecycle rules for what failed writers leave.

resource "aws_s3_bucket" "lake" {
  bucket        = local.bucket
  force_destroy = var.force_destroy

  tags = {
    Name = local.bucket
  }
}

resource "aws_s3_bucket_public_access_block" "lake" {
  bucket                  = aws_s3_bucket.lake.id
  block_public_acls       = true
  block_public_policy     = true
  ignore_public_acls      = true
  restrict_public_buckets = true
}

resource "aws_s3_bucket_ownership_controls" "lake" {
  bucket = aws_s3_bucket.lake.id

  rule {
    object_ownership = "BucketOwnerEnforced"
  }
}

resource "aws_s3_bucket_server_side_encryption_configuration" "lake" {
  bucket = aws_s3_bucket.lake.id

  rule {
    apply_server_side_encryption_by_default {
      sse_algorithm = "AES256"
    }
    bucket_key_enabled = true
  }
}

# lake writes every S3 output file as a multipart upload completed only at the commit; a run
# that dies leaves them open until the next run on that output aborts them. This rule is the
# backstop for an output nobody runs on again. Staging debris of Hadoop and Spark writers
# (_temporary/, at the output's top and in each table) expires too. lake's own _lake/ (the lock
# and the commit journal) never expires: a journal left by a crash is what lets the next run
# complete or undo that commit, and the lock is rewritten every 20 s while a run holds it.
resource "aws_s3_bucket_lifecycle_configuration" "lake" {
  bucket = aws_s3_bucket.lake.id

  rule {
    id     = "abort-incomplete-multipart-uploads"
    status = "Enabled"

    filter {
      prefix = ""
    }

    abort_incomplete_multipart_upload {
      days_after_initiation = var.abort_multipart_days
    }
  }

  dynamic "rule" {
    for_each = concat([""], [for t in local.table_names : "${t}/"])

    content {
      id     = "expire-temporary-${rule.value == "" ? "top" : trimsuffix(rule.value, "/")}"
      status = "Enabled"

      filter {
        prefix = "${var.output_prefix}${rule.value}_temporary/"
      }

      expiration {
        days = var.temporary_expire_days
      }
    }
  }

  # Athena's query results (the workgroup in catalog.tf writes them under _athena/).
  rule {
    id     = "expire-athena-results"
    status = "Enabled"

    filter {
      prefix = "_athena/"
    }

    expiration {
      days = 30
    }
  }
}

# The source the nodes build lake from. Uploaded here, so it is in the bucket before any node
# boots (the instances depend on it); a new tarball changes the nodes' user data, which
# replaces them.
resource "aws_s3_object" "source" {
  bucket      = aws_s3_bucket.lake.id
  key         = local.source_key
  source      = local.source_tarball
  source_hash = filemd5(local.source_tarball)

  tags = {
    Name = "lake-source"
  }

  depends_on = [aws_s3_bucket_server_side_encryption_configuration.lake]
}
