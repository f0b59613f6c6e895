# The Glue database and the five tables, so Athena can query the output. The columns are those
# `lake ddl --dialect athena` prints (tests/e2e/deploy_terraform.test.mjs checks they agree).
#
# Partitions: time and songplays (year, month) use partition projection, so Athena computes
# their partitions and nothing needs registering. songs (year, artist_id) cannot: artist_id has no
# range. Its partitions are registered by `MSCK REPAIR TABLE songs`, which deploy/bin/submit runs
# through Athena after every job (docs/deploy.md).

locals {
  glue_tables = {
    songs = {
      columns    = [["song_id", "string"], ["title", "string"], ["duration", "double"]]
      partitions = [["year", "int"], ["artist_id", "string"]]
    }
    artists = {
      columns    = [["artist_id", "string"], ["name", "string"], ["location", "string"], ["latitude", "double"], ["longitude", "double"]]
      partitions = []
    }
    users = {
      columns    = [["user_id", "int"], ["first_name", "string"], ["last_name", "string"], ["gender", "string"], ["level", "string"]]
      partitions = []
    }
    time = {
      columns    = [["start_time", "timestamp"], ["hour", "int"], ["day", "int"], ["week", "int"], ["weekday", "int"]]
      partitions = [["year", "int"], ["month", "int"]]
    }
    songplays = {
      columns = [["songplay_id", "bigint"], ["start_time", "timestamp"], ["user_id", "int"], ["level", "string"],
        ["song_id", "string"], ["artist_id", "string"], ["session_id", "bigint"], ["location", "string"],
      ["user_agent", "string"]]
      partitions = [["year", "int"], ["month", "int"]]
    }
  }

  # Athena partition projection for the tables partitioned by year and month (lake writes
  # month=1, not month=01, which is what the integer type projects).
  projection = {
    "projection.enabled"     = "true"
    "projection.year.type"   = "integer"
    "projection.year.range"  = var.projection_years
    "projection.month.type"  = "integer"
    "projection.month.range" = "1,12"
  }
}

resource "aws_glue_catalog_database" "lake" {
  name        = replace(var.name, "-", "_")
  description = "lake tables under ${local.output_location}"

  tags = {
    Name = var.name
  }
}

resource "aws_glue_catalog_table" "lake" {
  for_each = local.glue_tables

  name          = each.key
  database_name = aws_glue_catalog_database.lake.name
  table_type    = "EXTERNAL_TABLE"

  parameters = merge(
    { EXTERNAL = "TRUE", classification = "parquet" },
    length(each.value.partitions) == 2 && each.value.partitions[1][0] == "month" ? local.projection : {},
  )

  dynamic "partition_keys" {
    for_each = each.value.partitions

    content {
      name = partition_keys.value[0]
      type = partition_keys.value[1]
    }
  }

  storage_descriptor {
    location      = "${local.output_location}${each.key}/"
    input_format  = "org.apache.hadoop.hive.ql.io.parquet.MapredParquetInputFormat"
    output_format = "org.apache.hadoop.hive.ql.io.parquet.MapredParquetOutputFormat"

    ser_de_info {
      serialization_library = "org.apache.hadoop.hive.ql.io.parquet.serde.ParquetHiveSerDe"
    }

    dynamic "columns" {
      for_each = each.value.columns

      content {
        name = columns.value[0]
        type = columns.value[1]
      }
    }
  }
}

# Where the operator's Athena queries (and submit's MSCK REPAIR TABLE) write their results.
resource "aws_athena_workgroup" "lake" {
  name          = var.name
  force_destroy = true

  configuration {
    enforce_workgroup_configuration = true

    result_configuration {
      output_location = "s3://${local.bucket}/_athena/"

      encryption_configuration {
        encryption_option = "SSE_S3"
      }
    }
  }

  tags = {
    Name = var.name
  }
}
