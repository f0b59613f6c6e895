# shellcheck shell=bash
# Shared by deploy/bin/*: reads the cluster's description (deploy/cluster.env, written by
# Terraform; or the local cluster's, named by LAKE_CLUSTER_ENV) and builds the ssh options.
# Sourced, never run. Nothing here prints a secret: the key is only ever named by its path.

LAKE_DEPLOY_DIR=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)

# Every cluster.env sets these (tests/e2e/deploy_terraform.test.mjs checks Terraform's does).
LAKE_REQUIRED="LAKE_CLUSTER_KIND LAKE_CLUSTER_NAME LAKE_REGION LAKE_SSH_USER LAKE_SSH_KEY LAKE_KNOWN_HOSTS LAKE_COPY_KEY LAKE_HEAD LAKE_PUBLIC_ADDRS LAKE_PRIVATE_ADDRS LAKE_NODE_ROOT LAKE_BUCKET LAKE_INPUT LAKE_OUTPUT"

# die MESSAGE...: prints "PROG: MESSAGE" on stderr and exits 1.
die() {
    printf '%s: %s\n' "${PROG:-deploy}" "$*" >&2
    exit 1
}

# usage_error MESSAGE: a mistake on the command line (exit 2).
usage_error() {
    printf "%s: %s (see '%s --help')\n" "${PROG:-deploy}" "$*" "${PROG:-deploy}" >&2
    exit 2
}

# load_cluster_env: reads the cluster's description into the environment, or dies saying which
# file is missing and what makes it. Sets SSH_OPTS (an array) for ssh and scp.
load_cluster_env() {
    local env=${LAKE_CLUSTER_ENV:-$LAKE_DEPLOY_DIR/cluster.env}
    [ -f "$env" ] || die "no cluster described: $env is missing (make deploy writes it for AWS; for the local cluster, make cluster-up and set LAKE_CLUSTER_ENV=deploy/local/.state/cluster.env, as make cluster-submit does)"
    set -a
    # shellcheck source=/dev/null
    . "$env"
    set +a
    local k
    for k in $LAKE_REQUIRED; do
        [ -n "${!k:-}" ] || die "$env does not set $k"
    done
    [ -f "$LAKE_SSH_KEY" ] || die "the cluster's ssh key $LAKE_SSH_KEY is missing (written by terraform apply, or by make cluster-up)"
    # read -a: the address lists are space-separated words.
    read -r -a LAKE_PUBLIC <<<"$LAKE_PUBLIC_ADDRS"
    # shellcheck disable=SC2034 # read by describe-cluster
    read -r -a LAKE_PRIVATE <<<"$LAKE_PRIVATE_ADDRS"
    # New host keys are learned on first contact and checked after (each cluster has its own
    # known_hosts file, so a new cluster at old addresses does not trip over old keys).
    SSH_OPTS=(-i "$LAKE_SSH_KEY" -o IdentitiesOnly=yes -o IdentityAgent=none -o BatchMode=yes
        -o StrictHostKeyChecking=accept-new -o "UserKnownHostsFile=$LAKE_KNOWN_HOSTS"
        -o GlobalKnownHostsFile=/dev/null -o ConnectTimeout=10 -o ServerAliveInterval=15
        -o LogLevel=ERROR -o ForwardAgent=no -o ControlMaster=no -o ControlPath=none)
}

# node_address N: the address the operator reaches node N at (0 is the head); dies if no such node.
node_address() {
    local n=$1
    [[ $n =~ ^[0-9]+$ ]] || usage_error "node number expected, got '$n'"
    [ "$n" -lt "${#LAKE_PUBLIC[@]}" ] || die "no node $n: the cluster has ${#LAKE_PUBLIC[@]} (0 to $((${#LAKE_PUBLIC[@]} - 1)))"
    printf '%s\n' "${LAKE_PUBLIC[$n]}"
}

# on_node N COMMAND...: runs COMMAND (one shell string, quoted by the caller) on node N.
on_node() {
    local addr
    addr=$(node_address "$1") || exit 1
    shift
    # shellcheck disable=SC2029 # the command is meant for the remote shell
    ssh "${SSH_OPTS[@]}" "$LAKE_SSH_USER@$addr" "$@"
}
