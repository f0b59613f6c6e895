#!/usr/bin/env bash
# Installs what lake needs to build and test, if missing: Debian packages (apt-get when root,
# otherwise a message naming them) and the test suite's npm packages (tests/node_modules).
# --build-only: only what building and running lake on a cluster node needs (deploy/node-setup.sh).
set -euo pipefail
cd "$(dirname "$0")/.."

BUILD_PKGS="build-essential g++ make pkg-config libsimdjson-dev libsnappy-dev libzstd-dev zlib1g-dev
      liblz4-dev libpcre2-dev libcurl4-openssl-dev libexpat1-dev openmpi-bin libopenmpi-dev openssh-client"
TEST_PKGS="valgrind clang clang-format libclang-rt-14-dev doxygen groff-base
      openssh-server iproute2 tmux chromium awscli shellcheck nodejs npm"
if [ "${1:-}" = --build-only ]; then
    PKGS=$BUILD_PKGS
else
    PKGS="$BUILD_PKGS $TEST_PKGS"
fi

missing=""
for p in $PKGS; do
    # nodejs/npm may come from another source than Debian's packages: a working command is enough.
    case "$p" in
        nodejs) command -v node >/dev/null 2>&1 && continue ;;
        npm) command -v npm >/dev/null 2>&1 && continue ;;
    esac
    dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing="$missing $p"
done

if [ -n "$missing" ]; then
    if [ "$(id -u)" = 0 ]; then
        echo "deps: installing$missing"
        export DEBIAN_FRONTEND=noninteractive
        apt-get update -qq
        # shellcheck disable=SC2086 # one word per package
        apt-get install -y -qq --no-install-recommends $missing
    else
        echo "deps: missing Debian packages:$missing" >&2
        echo "deps: run as root, or: sudo apt-get install$missing" >&2
        exit 1
    fi
fi

# The test oracle (DuckDB), the second Parquet reader (hyparquet) and the driver of the report
# page's browser test (playwright-core, which drives Debian's chromium), HashiCorp's HCL parser
# (@cdktf/hcl2json, for the Terraform checks) and s3rver (also the local cluster's object store),
# pinned by the lock file.
if [ "${1:-}" != --build-only ] && [ -f tests/package.json ]; then
    if [ ! -d tests/node_modules ] || [ tests/package-lock.json -nt tests/node_modules/.package-lock.json ]; then
        echo "deps: installing npm test packages"
        # npm install (not ci): this npm omits DuckDB's optional per-platform bindings from the
        # lock file and then refuses ci; install still takes the locked versions.
        (cd tests && npm install --no-audit --no-fund --loglevel=error)
        touch tests/node_modules/.package-lock.json
    fi
fi
