# One VPC with one public subnet: every node has a public address for ssh (limited to
# admin_cidr) and reaches S3 through a gateway endpoint, the package mirrors through the internet
# gateway.

data "aws_availability_zones" "available" {
  state = "available"
}

resource "aws_vpc" "cluster" {
  cidr_block           = var.vpc_cidr
  enable_dns_support   = true
  enable_dns_hostnames = true

  tags = {
    Name = "${var.name}-vpc"
  }
}

resource "aws_subnet" "cluster" {
  vpc_id                  = aws_vpc.cluster.id
  cidr_block              = var.subnet_cidr
  availability_zone       = data.aws_availability_zones.available.names[0]
  map_public_ip_on_launch = true

  tags = {
    Name = "${var.name}-subnet"
  }
}

resource "aws_internet_gateway" "cluster" {
  vpc_id = aws_vpc.cluster.id

  tags = {
    Name = "${var.name}-igw"
  }
}

resource "aws_route_table" "cluster" {
  vpc_id = aws_vpc.cluster.id

  route {
    cidr_block = "0.0.0.0/0"
    gateway_id = aws_internet_gateway.cluster.id
  }

  tags = {
    Name = "${var.name}-routes"
  }
}

resource "aws_route_table_association" "cluster" {
  subnet_id      = aws_subnet.cluster.id
  route_table_id = aws_route_table.cluster.id
}

# S3 traffic of the region stays on AWS's network and costs no data processing charge.
resource "aws_vpc_endpoint" "s3" {
  vpc_id            = aws_vpc.cluster.id
  service_name      = "com.amazonaws.${var.region}.s3"
  vpc_endpoint_type = "Gateway"
  route_table_ids   = [aws_route_table.cluster.id]

  tags = {
    Name = "${var.name}-s3"
  }
}

resource "aws_security_group" "cluster" {
  name        = "${var.name}-cluster"
  description = "lake cluster: ssh from the admin network, all traffic between members"
  vpc_id      = aws_vpc.cluster.id

  ingress {
    description = "ssh from the admin network only"
    from_port   = 22
    to_port     = 22
    protocol    = "tcp"
    cidr_blocks = [var.admin_cidr]
  }

  # Open MPI's daemons and ranks listen on ports they pick at run time, and mpirun starts the
  # daemons over ssh: members must reach each other on every port.
  ingress {
    description = "all traffic between members (Open MPI)"
    from_port   = 0
    to_port     = 0
    protocol    = "-1"
    self        = true
  }

  egress {
    description = "out: Debian mirrors, S3"
    from_port   = 0
    to_port     = 0
    protocol    = "-1"
    cidr_blocks = ["0.0.0.0/0"]
  }

  tags = {
    Name = "${var.name}-cluster"
  }
}
