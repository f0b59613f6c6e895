# Inputs of the lake cluster. Only admin_cidr has no default: ssh is never open to the world by
# accident. docs/deploy.md explains each choice.

variable "region" {
  description = "AWS region of the cluster and the data-lake bucket. The default is the region of the public Sparkify input (s3://udacity-dend/), so reading it costs no inter-region transfer."
  type        = string
  default     = "us-west-2"
}

variable "name" {
  description = "Name prefix of every resource (VPC, nodes, role, Glue database ...). Lower case letters, digits and dashes."
  type        = string
  default     = "lake"

  validation {
    condition     = can(regex("^[a-z][a-z0-9-]{1,20}$", var.name))
    error_message = "name: 2 to 21 lower case letters, digits or dashes, starting with a letter."
  }
}

variable "node_count" {
  description = "Number of nodes; the first is the head node, where mpirun starts the job. One rank per node."
  type        = number
  default     = 3

  validation {
    condition     = var.node_count >= 1 && var.node_count <= 16
    error_message = "node_count must be between 1 and 16."
  }
}

variable "instance_type" {
  description = "EC2 instance type of every node. It must support cluster placement groups (current-generation, non-burstable: c6i, c7i, m6i ...)."
  type        = string
  default     = "c6i.xlarge"
}

variable "root_volume_gb" {
  description = "Size of each node's root volume (gp3, encrypted), in GiB: the OS, the build and lake's spill files."
  type        = number
  default     = 30
}

variable "admin_cidr" {
  description = "The only network allowed to ssh to the nodes, e.g. your address as 203.0.113.7/32. No default, and 0.0.0.0/0 is refused."
  type        = string

  validation {
    condition     = can(cidrhost(var.admin_cidr, 0)) && !contains(["0.0.0.0/0", "::/0"], var.admin_cidr)
    error_message = "admin_cidr must be a CIDR block such as 203.0.113.7/32, and not 0.0.0.0/0."
  }
}

variable "bucket_name" {
  description = "Name of the data-lake bucket made for the output (and the source tarball). Empty: NAME-ACCOUNT-REGION."
  type        = string
  default     = ""
}

variable "input_location" {
  description = "Where lake run reads song_data/ and log_data/: s3://bucket/prefix/. The default is the public Sparkify data set."
  type        = string
  default     = "s3://udacity-dend/"

  validation {
    condition     = can(regex("^s3a?://[a-z0-9][a-z0-9.-]{1,61}[a-z0-9](/.*)?$", var.input_location))
    error_message = "input_location must be s3://bucket/ or s3://bucket/prefix/."
  }
}

variable "output_prefix" {
  description = "Prefix in the data-lake bucket under which lake run writes the five tables (ending in /). The nodes may write only there."
  type        = string
  default     = "lake/"

  validation {
    condition     = can(regex("^[A-Za-z0-9][A-Za-z0-9._/-]*/$", var.output_prefix))
    error_message = "output_prefix must be a relative key prefix ending in /, such as lake/."
  }
}

variable "lake_run_args" {
  description = "Extra options of every lake run the scripts submit, e.g. \"--threads 4 --compression zstd\"."
  type        = string
  default     = ""
}

variable "source_tarball" {
  description = "Path of the lake source tarball make deploy packages (git archive of HEAD). Empty: deploy/.build/lake-src.tar.gz."
  type        = string
  default     = ""
}

variable "vpc_cidr" {
  description = "Address range of the cluster's VPC."
  type        = string
  default     = "10.42.0.0/16"
}

variable "subnet_cidr" {
  description = "Address range of the cluster's subnet (inside vpc_cidr). Node i gets the address host 10 + i of it."
  type        = string
  default     = "10.42.1.0/24"
}

variable "abort_multipart_days" {
  description = "Days after which the bucket aborts an incomplete multipart upload (a backstop: lake aborts its own on the next run). Never shorter than a run."
  type        = number
  default     = 7
}

variable "temporary_expire_days" {
  description = "Days after which objects under _temporary/ of the output (Hadoop and Spark staging debris) expire."
  type        = number
  default     = 3
}

variable "projection_years" {
  description = "Range of years Athena's partition projection assumes for the time and songplays tables, as \"first,last\"."
  type        = string
  default     = "2000,2040"
}

variable "tags" {
  description = "Tags added to every taggable resource (through the provider's default_tags), besides project and cluster."
  type        = map(string)
  default     = {}
}

variable "force_destroy" {
  description = "Whether destroying the stack also deletes the bucket's objects (the tables). make destroy sets it only with FORCE=1."
  type        = bool
  default     = false
}
