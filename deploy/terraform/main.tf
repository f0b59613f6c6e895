# Names and values every other file uses.

data "aws_caller_identity" "current" {}

data "aws_partition" "current" {}

locals {
  tags = merge({ project = "lake", cluster = var.name }, var.tags)

  bucket     = var.bucket_name != "" ? var.bucket_name : "${var.name}-${data.aws_caller_identity.current.account_id}-${var.region}"
  bucket_arn = aws_s3_bucket.lake.arn

  # s3://bucket/prefix/ of the input: the nodes may read there and nowhere else outside the bucket.
  input_parts      = regex("^s3a?://([^/]+)/?(.*)$", var.input_location)
  input_bucket     = local.input_parts[0]
  input_prefix     = local.input_parts[1]
  input_bucket_arn = "arn:${data.aws_partition.current.partition}:s3:::${local.input_bucket}"
  output_location  = "s3://${local.bucket}/${var.output_prefix}"

  # The source tarball make deploy packages; Terraform uploads it before the nodes boot.
  source_tarball = var.source_tarball != "" ? var.source_tarball : "${path.module}/../.build/lake-src.tar.gz"
  source_key     = "_deploy/lake-src.tar.gz"

  # Fixed private addresses, so every node's user data can name all members (the hostfile)
  # without a dependency cycle between the instances.
  private_ips = [for i in range(var.node_count) : cidrhost(var.subnet_cidr, 10 + i)]

  # Where the nodes keep lake (node-setup.sh --root) and who runs it (the Debian AMI's user).
  node_root = "/opt/lake"
  node_user = "admin"

  # Files the scripts in deploy/bin read (deploy/cluster.env names them).
  deploy_dir  = abspath("${path.module}/..")
  key_path    = "${local.deploy_dir}/cluster-key.pem"
  known_hosts = "${local.deploy_dir}/.known_hosts"

  # The five tables lake run writes (docs/spec.md); the Glue tables and lifecycle rules use them.
  table_names = ["songs", "artists", "users", "time", "songplays"]
}
