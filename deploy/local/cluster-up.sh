#!/usr/bin/env bash
# The local cluster (docker-compose's role in the original system): NODES network-namespace hosts
# on a bridge, each with its own address, hostname and sshd, configured by deploy/node-setup.sh
# as the cloud's nodes are (install step skipped), and s3rver in one more namespace as the object
# store, holding `lake gen` input. Everything it makes is recorded in the state directory, which
# cluster-down.sh reads to remove exactly that. Needs root.
set -euo pipefail
PROG=cluster-up
HERE=$(cd "$(dirname "$0")" && pwd)
REPO=$(cd "$HERE/../.." && pwd)

usage() {
    cat <<'USAGE'
Usage: cluster-up.sh [--nodes N] [--state DIR] [--lake-bin PATH] [--songs N] [--events M]
                     [--seed S] [--sample] [--env-file FILE]

Starts a local lake cluster: N hosts (network namespaces with sshd; the first is the head
node) and an S3 store (s3rver) in its own namespace, with input in s3://lake/input/. Writes
DIR/cluster.env for deploy/bin/* (LAKE_CLUSTER_ENV=DIR/cluster.env deploy/bin/submit runs the
job). cluster-down.sh --state DIR removes it all. Needs root.

  --nodes N        hosts (default 3)
  --state DIR      where everything of the cluster is kept (default deploy/local/.state)
  --lake-bin PATH  the lake every host runs (default build/release/lake)
  --songs N --events M --seed S   size of the lake gen input (default 60, 1500, 21)
  --sample         upload data/sample as the input instead (needs the aws CLI)
  --env-file FILE  more KEY=VALUE lines for the ranks' environment
  --help           this text
USAGE
}

die() {
    printf '%s: %s\n' "$PROG" "$*" >&2
    exit 1
}

NODES=3 STATE=${LAKE_LOCAL_STATE:-$HERE/.state} LAKE_BIN=$REPO/build/release/lake
SONGS=60 EVENTS=1500 SEED=21 SAMPLE=0 EXTRA_ENV=""
while [ $# -gt 0 ]; do
    case "$1" in
        --help | -h) usage; exit 0 ;;
        --sample) SAMPLE=1; shift; continue ;;
        --nodes | --state | --lake-bin | --songs | --events | --seed | --env-file)
            [ $# -ge 2 ] || die "$1 needs a value" ;;
        *) die "unknown option $1 (see --help)" ;;
    esac
    case "$1" in
        --nodes) NODES=$2 ;;
        --state) STATE=$2 ;;
        --lake-bin) LAKE_BIN=$2 ;;
        --songs) SONGS=$2 ;;
        --events) EVENTS=$2 ;;
        --seed) SEED=$2 ;;
        --env-file) EXTRA_ENV=$2 ;;
    esac
    shift 2
done

# What must hold before anything is made.
{ [[ $NODES =~ ^[1-9][0-9]?$ ]] && [ "$NODES" -le 16 ]; } || die "--nodes must be 1 to 16"
[ "$(id -u)" = 0 ] || die "needs root (it makes network namespaces, a bridge and veth pairs, and runs sshd): run it as root, e.g. sudo make cluster-up"
[ -x "$LAKE_BIN" ] || die "no lake binary at $LAKE_BIN (make build, or --lake-bin PATH)"
LAKE_BIN=$(cd "$(dirname "$LAKE_BIN")" && pwd)/$(basename "$LAKE_BIN")
for c in ip ssh ssh-keygen unshare node mpirun; do
    command -v "$c" >/dev/null || die "$c is not installed (scripts/deps.sh installs what is needed)"
done
SSHD=$(command -v sshd || echo /usr/sbin/sshd)
[ -x "$SSHD" ] || die "sshd is not installed (Debian openssh-server; scripts/deps.sh installs it)"
[ -d "$REPO/tests/node_modules/s3rver" ] || die "s3rver is missing from tests/node_modules (run scripts/deps.sh)"
[ -n "$EXTRA_ENV" ] && { [ -f "$EXTRA_ENV" ] || die "no such file: $EXTRA_ENV"; }
[ -e "$STATE" ] && die "a local cluster is already up ($STATE exists): make cluster-down first"
STATE=$(mkdir -p "$STATE" && cd "$STATE" && pwd)

# From here on, a failure removes what was made.
undo_on_failure() {
    local status=$?
    if [ "$status" -ne 0 ]; then
        echo "$PROG: failed; removing what was made" >&2
        "$HERE/cluster-down.sh" --state "$STATE" --quiet || true
    fi
}
trap undo_on_failure EXIT

ID=$(od -An -N2 -tx1 /dev/urandom | tr -d ' \n')
echo "$ID" >"$STATE/id"
: >"$STATE/namespaces"
: >"$STATE/links"

# ip with the error made clear when the machine does not allow namespaces.
ipc() {
    local err
    err=$(ip "$@" 2>&1) || die "ip $*: $err (making network namespaces needs root with CAP_SYS_ADMIN and CAP_NET_ADMIN)"
}

# A 10.a.b.0/24 that overlaps no address or route of this machine.
ip2int() {
    local IFS=.
    read -r a b c d <<<"$1"
    echo $(((a << 24) | (b << 16) | (c << 8) | d))
}
pick_subnet() {
    local nets try base net bits mask n clash
    nets=$( { ip -4 -o addr show; ip -4 route show table all; } | grep -oE '(^|[[:space:]])[0-9]+\.[0-9]+\.[0-9]+\.[0-9]+(/[0-9]+)?' | tr -d ' \t')
    for try in $(seq 1 100); do
        base="10.$((64 + RANDOM % 190)).$((RANDOM % 256))"
        n=$(ip2int "$base.0")
        clash=0
        for net in $nets; do
            bits=${net#*/}
            [ "$bits" = "$net" ] && bits=32
            [ "$bits" -eq 0 ] && continue
            [ "$bits" -gt 24 ] && bits=24
            mask=$(((0xffffffff << (32 - bits)) & 0xffffffff))
            if [ $(($(ip2int "${net%/*}") & mask)) -eq $((n & mask)) ]; then clash=1; break; fi
        done
        [ "$clash" = 0 ] && { echo "$base"; return; }
        : "$try"
    done
    die "no free 10.x.y.0/24 subnet found"
}
BASE=$(pick_subnet)
SUBNET=$BASE.0/24

BRIDGE=lc${ID}br
echo "$BRIDGE" >>"$STATE/links"
ipc link add "$BRIDGE" type bridge
ipc addr add "$BASE.1/24" dev "$BRIDGE"
ipc link set "$BRIDGE" up

# make_host NAME ADDR: a namespace whose eth0 is one end of a veth pair on the bridge.
make_host() {
    local ns=lakec-$ID-$1 link=lc$ID$1
    echo "$ns" >>"$STATE/namespaces"
    ipc netns add "$ns"
    echo "$link" >>"$STATE/links"
    ipc link add "$link" type veth peer name eth0 netns "$ns"
    ipc link set "$link" master "$BRIDGE" up
    ipc -n "$ns" addr add "$2/24" dev eth0
    ipc -n "$ns" link set eth0 up
    ipc -n "$ns" link set lo up
}

# The cluster's key (the operator's, as Terraform's tls_private_key is on AWS).
ssh-keygen -q -t ed25519 -N '' -C "lake-local-$ID" -f "$STATE/cluster-key"
NODE_ROOT=$STATE/node
mkdir -p "$NODE_ROOT/ssh" "$STATE/hosts" "$STATE/s3tmp"
mkdir -p /run/sshd # sshd's privilege separation directory (Debian's service makes it; shared, stays)

HOSTS=""
for i in $(seq 1 "$NODES"); do
    HOSTS="$HOSTS $BASE.$((i + 1))"
done
HOSTS=${HOSTS# }
read -r -a ADDRS <<<"$HOSTS"

for i in $(seq 1 "$NODES"); do
    name=h$i addr=${ADDRS[$((i - 1))]} hdir=$STATE/hosts/h$i
    make_host "$name" "$addr"
    mkdir -p "$hdir"
    ssh-keygen -q -t ed25519 -N '' -C "lakec-$ID-$name" -f "$hdir/ssh_host_ed25519_key"
    cat >"$hdir/sshd_config" <<SSHD
ListenAddress $addr
Port 22
HostKey $hdir/ssh_host_ed25519_key
PidFile $hdir/sshd.pid
AuthorizedKeysFile $NODE_ROOT/ssh/authorized_keys
PermitRootLogin prohibit-password
PasswordAuthentication no
KbdInteractiveAuthentication no
UsePAM no
StrictModes no
UseDNS no
PrintMotd no
PrintLastLog no
X11Forwarding no
MaxStartups 100
MaxSessions 100
Subsystem sftp internal-sftp
SSHD
    # Its own hostname (unshare --uts), which every ssh session on the host inherits: Open MPI
    # tells nodes apart by it. sh execs sshd, so the pid recorded is sshd's.
    # shellcheck disable=SC2016 # $1..$3 are the inner shell's
    setsid ip netns exec "lakec-$ID-$name" unshare --uts sh -c 'hostname "$1" && exec "$2" -f "$3" -D -e' \
        sh "lakec-$ID-$name" "$SSHD" "$hdir/sshd_config" </dev/null >>"$hdir/sshd.log" 2>&1 &
    echo "$! sshd $name" >>"$STATE/pids"
done

# The object store, with credentials made here (kept in files of mode 0600, never printed).
S3_ADDR=$BASE.$((NODES + 2))
make_host s3 "$S3_ADDR"
KEY_ID=AKIALOCAL$(od -An -N6 -tx1 /dev/urandom | tr -d ' \n' | tr a-f A-F)
SECRET=$(head -c 30 /dev/urandom | base64 | tr -d '\n/+=')
umask 077
LAKE_S3D=$(printf '{"host":"%s","bucket":"lake","keyId":"%s","secret":"%s","infoFile":"%s"}' "$S3_ADDR" "$KEY_ID" "$SECRET" "$STATE/s3.json") \
    TMPDIR=$STATE/s3tmp setsid ip netns exec "lakec-$ID-s3" node "$HERE/s3d.mjs" </dev/null >>"$STATE/s3.log" 2>&1 &
echo "$! s3 s3" >>"$STATE/pids"
umask 022
for _ in $(seq 1 300); do
    [ -f "$STATE/s3.json" ] && break
    kill -0 "$!" 2>/dev/null || die "the S3 store exited: $(cat "$STATE/s3.log")"
    sleep 0.1
done
[ -f "$STATE/s3.json" ] || die "the S3 store did not start within 30 s: $(cat "$STATE/s3.log")"
ENDPOINT=$(sed -n 's/.*"endpoint":"\([^"]*\)".*/\1/p' "$STATE/s3.json")

# The ranks' environment (node.env on every host): the store and its credentials, nothing of
# this machine's AWS setup, and what Open MPI needs to run as root in namespaces.
{
    echo "AWS_ACCESS_KEY_ID=$KEY_ID"
    echo "AWS_SECRET_ACCESS_KEY=$SECRET"
    echo "AWS_REGION=us-east-1"
    echo "AWS_ENDPOINT_URL=$ENDPOINT"
    echo "AWS_EC2_METADATA_DISABLED=true"
    echo "AWS_CONFIG_FILE=/nonexistent/lake-local-config"
    echo "AWS_SHARED_CREDENTIALS_FILE=/nonexistent/lake-local-credentials"
    echo "OMPI_ALLOW_RUN_AS_ROOT=1"
    echo "OMPI_ALLOW_RUN_AS_ROOT_CONFIRM=1"
    echo "OMPI_MCA_btl_vader_single_copy_mechanism=none"
    [ -z "$EXTRA_ENV" ] || cat "$EXTRA_ENV"
} >"$STATE/node.env"
chmod 0600 "$STATE/node.env"

# Each host configured by the same script as a cloud node (packages already here).
for i in $(seq 1 "$NODES"); do
    ip netns exec "lakec-$ID-h$i" "$REPO/deploy/node-setup.sh" --skip-install --root "$NODE_ROOT" \
        --lake-bin "$LAKE_BIN" --hosts "$HOSTS" --subnet "$SUBNET" --user root \
        --public-key "$(cat "$STATE/cluster-key.pub")" --authorized-keys "$NODE_ROOT/ssh/authorized_keys" \
        --env-file "$STATE/node.env" >>"$STATE/node-setup.log" 2>&1 ||
        die "node-setup.sh failed on h$i: $(tail -5 "$STATE/node-setup.log")"
done

cat >"$STATE/cluster.env" <<ENV
# Written by deploy/local/cluster-up.sh; read by deploy/bin/* (LAKE_CLUSTER_ENV=$STATE/cluster.env).
LAKE_CLUSTER_KIND=local
LAKE_CLUSTER_NAME=lakec-$ID
LAKE_REGION=us-east-1
LAKE_SSH_USER=root
LAKE_SSH_KEY=$STATE/cluster-key
LAKE_KNOWN_HOSTS=$STATE/known_hosts
LAKE_COPY_KEY=1
LAKE_HEAD=${ADDRS[0]}
LAKE_PUBLIC_ADDRS="$HOSTS"
LAKE_PRIVATE_ADDRS="$HOSTS"
LAKE_NODE_ROOT=$NODE_ROOT
LAKE_BUCKET=lake
LAKE_INPUT=s3://lake/input
LAKE_OUTPUT=s3://lake/output
LAKE_RUN_ARGS=""
LAKE_S3_ENDPOINT=$ENDPOINT
LAKE_SUBNET=$SUBNET
ENV

# Ready when every sshd lets the cluster key in, as describe-cluster --wait checks on AWS.
LAKE_CLUSTER_ENV=$STATE/cluster.env "$REPO/deploy/bin/describe-cluster" --wait 30 >"$STATE/describe.log" 2>&1 ||
    die "the hosts did not come up: $(cat "$STATE/describe.log")"

# The input, written from here over the bridge as a client would.
(
    set -a
    # shellcheck source=/dev/null
    . "$STATE/node.env"
    set +a
    if [ "$SAMPLE" = 1 ]; then
        command -v aws >/dev/null || die "--sample needs the aws CLI (Debian awscli)"
        aws --endpoint-url "$ENDPOINT" s3 cp --recursive --only-show-errors "$REPO/data/sample/" s3://lake/input/
    else
        "$LAKE_BIN" gen s3://lake/input --songs "$SONGS" --events "$EVENTS" --seed "$SEED"
    fi
) >"$STATE/input.log" 2>&1 || die "writing the input failed: $(cat "$STATE/input.log")"

trap - EXIT
echo "$PROG: $NODES hosts (${HOSTS// /, }) and S3 at $ENDPOINT; input s3://lake/input/ ($(tail -2 "$STATE/input.log" | head -1))"
echo "$PROG: state in $STATE; run the job: LAKE_CLUSTER_ENV=$STATE/cluster.env deploy/bin/submit (make cluster-submit)"
