# The nodes: Debian 12, in one cluster placement group (low latency between them for Open MPI),
# each configured at first boot by deploy/node-setup.sh from the source tarball.

# Debian's own AMIs (account 136693071363 publishes the official Debian cloud images).
data "aws_ami" "debian" {
  most_recent = true
  owners      = ["136693071363"]

  filter {
    name   = "name"
    values = ["debian-12-amd64-*"]
  }

  filter {
    name   = "architecture"
    values = ["x86_64"]
  }

  filter {
    name   = "virtualization-type"
    values = ["hvm"]
  }
}

resource "aws_placement_group" "cluster" {
  name     = "${var.name}-cluster"
  strategy = "cluster"

  tags = {
    Name = "${var.name}-cluster"
  }
}

# The cluster's ssh key: the operator logs in with it, and the head node uses it to start the
# ranks on the others (deploy/bin/ssh-copy puts it there). Terraform's state holds the private
# key too: keep the state local and private (docs/deploy.md).
resource "tls_private_key" "cluster" {
  algorithm = "ED25519"
}

resource "aws_key_pair" "cluster" {
  key_name   = "${var.name}-cluster"
  public_key = tls_private_key.cluster.public_key_openssh

  tags = {
    Name = "${var.name}-cluster"
  }
}

resource "local_sensitive_file" "cluster_key" {
  filename        = local.key_path
  content         = tls_private_key.cluster.private_key_openssh
  file_permission = "0600"
}

resource "aws_instance" "node" {
  count = var.node_count

  ami                    = data.aws_ami.debian.id
  instance_type          = var.instance_type
  subnet_id              = aws_subnet.cluster.id
  private_ip             = local.private_ips[count.index]
  vpc_security_group_ids = [aws_security_group.cluster.id]
  placement_group        = aws_placement_group.cluster.id
  iam_instance_profile   = aws_iam_instance_profile.node.name
  key_name               = aws_key_pair.cluster.key_name

  user_data = templatefile("${path.module}/cloud-init.sh.tftpl", {
    region      = var.region
    bucket      = local.bucket
    source_key  = local.source_key
    source_hash = filemd5(local.source_tarball)
    node_root   = local.node_root
    node_user   = local.node_user
    hosts       = join(" ", local.private_ips)
    subnet      = var.subnet_cidr
    public_key  = trimspace(tls_private_key.cluster.public_key_openssh)
  })
  user_data_replace_on_change = true

  # IMDSv2 only (lake's credential chain asks for a session token first).
  metadata_options {
    http_endpoint               = "enabled"
    http_tokens                 = "required"
    http_put_response_hop_limit = 1
  }

  # default_tags do not reach the volumes an instance creates: tagged here.
  root_block_device {
    volume_size           = var.root_volume_gb
    volume_type           = "gp3"
    encrypted             = true
    delete_on_termination = true
    tags                  = merge(local.tags, { Name = "${var.name}-node-${count.index}" })
  }

  tags = {
    Name = "${var.name}-node-${count.index}"
    role = count.index == 0 ? "head" : "worker"
  }

  # The tarball must be in the bucket, and the role allowed to read it, when the node boots.
  depends_on = [aws_s3_object.source, aws_iam_role_policy.node, aws_route_table_association.cluster]
}
