# What the scripts need, as outputs and as deploy/cluster.env (read by deploy/bin/*). Neither holds
# a secret: the key is named by its path.

output "head_address" {
  description = "Public address of the head node (where mpirun starts the job)."
  value       = aws_instance.node[0].public_ip
}

output "public_addresses" {
  description = "Public addresses of all nodes, head first."
  value       = aws_instance.node[*].public_ip
}

output "private_addresses" {
  description = "Private addresses of all nodes, head first (the hostfile's order)."
  value       = aws_instance.node[*].private_ip
}

output "bucket" {
  description = "The data-lake bucket."
  value       = aws_s3_bucket.lake.id
}

output "output_location" {
  description = "Where lake run writes the five tables."
  value       = local.output_location
}

output "glue_database" {
  description = "Glue database of the five tables (Athena)."
  value       = aws_glue_catalog_database.lake.name
}

output "athena_workgroup" {
  description = "Athena workgroup whose results go to the bucket's _athena/ prefix."
  value       = aws_athena_workgroup.lake.name
}

output "ssh_key_path" {
  description = "Private key of the cluster, written by Terraform (mode 0600)."
  value       = local.key_path
}

output "cluster_env" {
  description = "The file deploy/bin/* read."
  value       = local_file.cluster_env.filename
}

resource "local_file" "cluster_env" {
  filename        = "${local.deploy_dir}/cluster.env"
  file_permission = "0644"
  content         = <<-EOT
    # Written by Terraform (deploy/terraform/outputs.tf); read by deploy/bin/*. No secrets.
    LAKE_CLUSTER_KIND=aws
    LAKE_CLUSTER_NAME=${var.name}
    LAKE_REGION=${var.region}
    LAKE_SSH_USER=${local.node_user}
    LAKE_SSH_KEY=${local.key_path}
    LAKE_KNOWN_HOSTS=${local.known_hosts}
    LAKE_COPY_KEY=1
    LAKE_HEAD=${aws_instance.node[0].public_ip}
    LAKE_PUBLIC_ADDRS="${join(" ", aws_instance.node[*].public_ip)}"
    LAKE_PRIVATE_ADDRS="${join(" ", aws_instance.node[*].private_ip)}"
    LAKE_NODE_ROOT=${local.node_root}
    LAKE_BUCKET=${aws_s3_bucket.lake.id}
    LAKE_INPUT=${var.input_location}
    LAKE_OUTPUT=${local.output_location}
    LAKE_RUN_ARGS="${var.lake_run_args}"
    LAKE_GLUE_DATABASE=${aws_glue_catalog_database.lake.name}
    LAKE_ATHENA_WORKGROUP=${aws_athena_workgroup.lake.name}
  EOT
}
