# What the nodes may do, through their instance profile: read the input, read and write the
# output prefix, read the source tarball. Nothing else (no Glue, no Athena, no other bucket).

data "aws_iam_policy_document" "assume" {
  statement {
    actions = ["sts:AssumeRole"]

    principals {
      type        = "Service"
      identifiers = ["ec2.amazonaws.com"]
    }
  }
}

resource "aws_iam_role" "node" {
  name               = "${var.name}-node"
  assume_role_policy = data.aws_iam_policy_document.assume.json

  tags = {
    Name = "${var.name}-node"
  }
}

data "aws_iam_policy_document" "node" {
  statement {
    sid       = "ListInput"
    actions   = ["s3:ListBucket"]
    resources = [local.input_bucket_arn]

    condition {
      test     = "StringLike"
      variable = "s3:prefix"
      values   = ["${local.input_prefix}*"]
    }
  }

  statement {
    sid       = "ReadInput"
    actions   = ["s3:GetObject"]
    resources = ["${local.input_bucket_arn}/${local.input_prefix}*"]
  }

  statement {
    sid       = "ListOutput"
    actions   = ["s3:ListBucket"]
    resources = [local.bucket_arn]

    condition {
      test     = "StringLike"
      variable = "s3:prefix"
      values   = ["${var.output_prefix}*"]
    }
  }

  # lake recover lists the output's pending multipart uploads (ListMultipartUploads with the
  # output as prefix); IAM has no prefix condition for this action, so it names the bucket.
  statement {
    sid       = "ListOutputUploads"
    actions   = ["s3:ListBucketMultipartUploads"]
    resources = [local.bucket_arn]
  }

  statement {
    sid = "WriteOutput"
    actions = [
      "s3:GetObject",
      "s3:PutObject",
      "s3:DeleteObject",
      "s3:AbortMultipartUpload",
      "s3:ListMultipartUploadParts",
    ]
    resources = ["${local.bucket_arn}/${var.output_prefix}*"]
  }

  statement {
    sid       = "ReadSource"
    actions   = ["s3:GetObject"]
    resources = ["${local.bucket_arn}/${local.source_key}"]
  }
}

resource "aws_iam_role_policy" "node" {
  name   = "${var.name}-node-s3"
  role   = aws_iam_role.node.id
  policy = data.aws_iam_policy_document.node.json
}

resource "aws_iam_instance_profile" "node" {
  name = "${var.name}-node"
  role = aws_iam_role.node.name

  tags = {
    Name = "${var.name}-node"
  }
}
