#!/usr/bin/env bash
# Configures one node of a lake cluster. On AWS, cloud-init runs it at first boot
# (terraform/cloud-init.sh.tftpl); the local cluster (local/cluster-up.sh) runs it in each of its
# namespace hosts with --skip-install and --lake-bin. Safe to run again.
set -euo pipefail
PROG=node-setup

usage() {
    cat <<'USAGE'
Usage: node-setup.sh --root DIR --hosts "ADDR..." (--src DIR | --lake-bin PATH) [options]

Configures this machine as a lake cluster node: installs the Debian packages, builds lake,
trusts the cluster's ssh key, writes the hostfile. Everything goes below --root.

  --root DIR              where the node's files go: bin/lake, bin/lake-job, hostfile,
                          cluster.conf, node.env, ssh/, runs/ (AWS: /opt/lake)
  --hosts "A B C"         the members' private addresses, head first (the hostfile's order)
  --src DIR               a lake source tree (the tarball make deploy uploaded): lake is built there
  --lake-bin PATH         use this lake binary instead of building one
  --subnet CIDR           the members' network (Open MPI talks on it only)
  --user NAME             the account that runs mpirun (default: the current one)
  --public-key KEY        the cluster's public key (one line), trusted for logins of --user
  --authorized-keys FILE  where to trust it (default: ~USER/.ssh/authorized_keys)
  --env-file FILE         KEY=VALUE lines every rank gets (region, endpoint ...), kept as ROOT/node.env
  --skip-install          install no Debian packages (also LAKE_NODE_SKIP_INSTALL=1)
  --help                  this text
USAGE
}

die() {
    printf '%s: %s\n' "$PROG" "$*" >&2
    exit 1
}

ROOT="" HOSTS="" SRC="" LAKE_BIN="" SUBNET="" RUN_USER="" PUBKEY="" AUTH_KEYS="" ENV_FILE=""
SKIP_INSTALL=${LAKE_NODE_SKIP_INSTALL:-0}
while [ $# -gt 0 ]; do
    case "$1" in
        --help | -h) usage; exit 0 ;;
        --skip-install) SKIP_INSTALL=1; shift; continue ;;
        --root | --hosts | --src | --lake-bin | --subnet | --user | --public-key | --authorized-keys | --env-file)
            [ $# -ge 2 ] || die "$1 needs a value" ;;
        *) die "unknown option $1 (see --help)" ;;
    esac
    case "$1" in
        --root) ROOT=$2 ;;
        --hosts) HOSTS=$2 ;;
        --src) SRC=$2 ;;
        --lake-bin) LAKE_BIN=$2 ;;
        --subnet) SUBNET=$2 ;;
        --user) RUN_USER=$2 ;;
        --public-key) PUBKEY=$2 ;;
        --authorized-keys) AUTH_KEYS=$2 ;;
        --env-file) ENV_FILE=$2 ;;
    esac
    shift 2
done
[ -n "$ROOT" ] || die "--root is required"
[ -n "$HOSTS" ] || die "--hosts is required"
[ -n "$SRC" ] || [ -n "$LAKE_BIN" ] || die "--src or --lake-bin is required"
RUN_USER=${RUN_USER:-$(id -un)}
id "$RUN_USER" >/dev/null 2>&1 || die "no user $RUN_USER on this machine"
HERE=$(cd "$(dirname "$0")" && pwd)

# 1. Debian packages: what building and running lake under Open MPI needs (scripts/deps.sh).
install_packages() {
    if [ "$SKIP_INSTALL" = 1 ]; then
        echo "$PROG: install skipped"
    elif [ -n "$SRC" ]; then
        "$SRC/scripts/deps.sh" --build-only
    else
        DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends openmpi-bin openssh-client
    fi
}

# 2. lake itself, at ROOT/bin/lake (the same path on every node, as mpirun needs).
install_lake() {
    mkdir -p "$ROOT/bin"
    if [ -n "$LAKE_BIN" ]; then
        [ -x "$LAKE_BIN" ] || die "--lake-bin $LAKE_BIN is not an executable"
        ln -sfn "$(cd "$(dirname "$LAKE_BIN")" && pwd)/$(basename "$LAKE_BIN")" "$ROOT/bin/lake"
    else
        [ -f "$SRC/Makefile" ] || die "--src $SRC is not a lake source tree"
        make -C "$SRC" -j"$(nproc)" build
        install -m 0755 "$SRC/build/release/lake" "$ROOT/bin/lake"
    fi
    install -m 0755 "$HERE/node-job.sh" "$ROOT/bin/lake-job"
    "$ROOT/bin/lake" --version
}

# 3. ssh between members: the operator's key is trusted, and the head reaches the others with it
#    (deploy/bin/ssh-copy --cluster-key puts the private half at ROOT/ssh/cluster-key).
trust_cluster_key() {
    local home addr
    mkdir -p "$ROOT/ssh"
    chmod 0700 "$ROOT/ssh"
    if [ -n "$PUBKEY" ]; then
        if [ -z "$AUTH_KEYS" ]; then
            home=$(getent passwd "$RUN_USER" | cut -d: -f6)
            AUTH_KEYS=$home/.ssh/authorized_keys
        fi
        mkdir -p "$(dirname "$AUTH_KEYS")"
        touch "$AUTH_KEYS"
        grep -qxF "$PUBKEY" "$AUTH_KEYS" || printf '%s\n' "$PUBKEY" >>"$AUTH_KEYS"
        chmod 0600 "$AUTH_KEYS"
        chown "$RUN_USER" "$AUTH_KEYS"
    fi
    {
        echo "# Written by deploy/node-setup.sh: how this node's mpirun reaches the members."
        for addr in $HOSTS; do
            echo "Host $addr"
            echo "  User $RUN_USER"
            echo "  IdentityFile $ROOT/ssh/cluster-key"
            echo "  IdentitiesOnly yes"
            echo "  IdentityAgent none"
            echo "  BatchMode yes"
            echo "  StrictHostKeyChecking accept-new"
            echo "  UserKnownHostsFile $ROOT/ssh/known_hosts"
            echo "  GlobalKnownHostsFile /dev/null"
            echo "  LogLevel ERROR"
            echo "  ConnectTimeout 10"
        done
    } >"$ROOT/ssh/config"
}

# 4. The hostfile (one rank per node), what lake-job needs to know, the ranks' environment.
write_cluster_files() {
    local addr
    for addr in $HOSTS; do echo "$addr slots=1"; done >"$ROOT/hostfile"
    {
        echo "# Written by deploy/node-setup.sh; read by ROOT/bin/lake-job."
        echo "LAKE_HOSTS=\"$HOSTS\""
        echo "LAKE_SUBNET=$SUBNET"
    } >"$ROOT/cluster.conf"
    if [ -n "$ENV_FILE" ] && [ "$(readlink -f "$ENV_FILE")" != "$(readlink -f "$ROOT/node.env")" ]; then
        install -m 0600 "$ENV_FILE" "$ROOT/node.env"
    fi
    [ -f "$ROOT/node.env" ] || : >"$ROOT/node.env"
    chmod 0600 "$ROOT/node.env"
    mkdir -p "$ROOT/runs" "$ROOT/tmp"
    chown -R "$RUN_USER" "$ROOT/ssh" "$ROOT/runs" "$ROOT/tmp" "$ROOT/node.env"
}

install_packages
install_lake
trust_cluster_key
write_cluster_files
date -u +%FT%TZ >"$ROOT/ready"
echo "$PROG: ready ($ROOT, $(wc -w <<<"$HOSTS") members)"
