#!/usr/bin/env bash
# make deploy / submit / destroy: the AWS side (docs/deploy.md). Terraform does the provisioning
# and the upload of the source tarball; deploy/bin/* talk to the nodes.
set -euo pipefail
PROG="make deploy"
HERE=$(cd "$(dirname "$0")" && pwd)
REPO=$(cd "$HERE/.." && pwd)
TF_DIR=$HERE/terraform
TARBALL=$HERE/.build/lake-src.tar.gz

usage() {
    cat <<'USAGE'
Usage: deploy.sh up | submit | destroy      (make deploy, make submit, make destroy)

  up       package the source (git archive of HEAD), terraform init and apply (which uploads
           the tarball to the bucket), wait for the nodes to build lake, submit the job, fetch
           its report. ADMIN_CIDR=203.0.113.7/32 (or admin_cidr in terraform.tfvars) is required;
           AUTO_APPROVE=1 skips Terraform's confirmation.
  submit   run the job again (deploy/bin/submit) and fetch its report
  destroy  terraform destroy; the bucket and its tables stay unless FORCE=1
USAGE
}

die() {
    printf '%s: %s\n' "$PROG" "$*" >&2
    exit 1
}

need_terraform() {
    command -v terraform >/dev/null ||
        die "terraform is not installed. Install Terraform 1.5 or later from HashiCorp (it is not in Debian's or npm's registries, so scripts/deps.sh cannot install it), then run this again."
}

# The tarball the nodes build from: the committed source (HEAD), so what runs is what is in git.
package() {
    mkdir -p "$HERE/.build"
    git -C "$REPO" diff --quiet HEAD -- || echo "$PROG: note: uncommitted changes are not deployed (the tarball is git HEAD)" >&2
    git -C "$REPO" archive --format=tar.gz -o "$TARBALL" HEAD
    echo "$PROG: packaged $(git -C "$REPO" rev-parse --short HEAD) as $TARBALL ($(du -h "$TARBALL" | cut -f1))"
}

tf() {
    terraform -chdir="$TF_DIR" "$@"
}

approve=()
[ "${AUTO_APPROVE:-0}" = 1 ] && approve=(-auto-approve)
[ -n "${ADMIN_CIDR:-}" ] && export TF_VAR_admin_cidr=$ADMIN_CIDR

case "${1:-}" in
    up)
        need_terraform
        if [ -z "${TF_VAR_admin_cidr:-}" ] && ! grep -qs '^ *admin_cidr' "$TF_DIR/terraform.tfvars"; then
            die "say who may ssh to the nodes: ADMIN_CIDR=YOUR.ADDRESS/32 make deploy (or admin_cidr in deploy/terraform/terraform.tfvars)"
        fi
        package
        tf init -input=false
        tf apply -input=false "${approve[@]}"
        echo "$PROG: waiting for the nodes to install and build lake (up to 20 minutes)"
        "$HERE/bin/describe-cluster" --wait 1200
        "$HERE/bin/submit"
        "$HERE/bin/fetch-report"
        ;;
    submit)
        "$HERE/bin/submit"
        "$HERE/bin/fetch-report"
        ;;
    destroy)
        PROG="make destroy"
        need_terraform
        [ -f "$TARBALL" ] || package # the configuration names it (filemd5), even to destroy
        if [ "${FORCE:-0}" = 1 ]; then
            # force_destroy is a setting of the bucket: set it first, then destroy with it.
            tf apply -input=false "${approve[@]}" -var force_destroy=true -target=aws_s3_bucket.lake
            tf destroy -input=false "${approve[@]}" -var force_destroy=true
        elif ! tf destroy -input=false "${approve[@]}"; then
            die "terraform destroy did not finish. If the bucket still holds the tables (BucketNotEmpty), everything else is gone; make destroy FORCE=1 deletes the bucket with its contents"
        fi
        rm -f "$HERE/cluster.env" "$HERE/.known_hosts"
        ;;
    --help | -h) usage ;;
    *) usage >&2; exit 2 ;;
esac
