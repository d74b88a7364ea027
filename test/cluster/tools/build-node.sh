#!/usr/bin/env bash
# Builds the real node's runtime binaries from the Go module proxy, each cached by version in $TOOLS_DIR
# (kubelet and kube-proxy come from build-kube.sh):
#   containerd-$CONTAINERD_VERSION/{containerd,containerd-shim-runc-v2,ctr}  no cgo; btrfs/devmapper/zfs off
#   gvisor-$GVISOR_VERSION/{runsc,containerd-shim-runsc-v1}   the shim with gvisor-shim-oom-score.patch
#   coredns-$COREDNS_VERSION/coredns
# Usage: build-node.sh [containerd|gvisor|coredns ...] (default all). Prints each build's time.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
. "$here/versions.env"
TOOLS_DIR=${TOOLS_DIR:-${XDG_CACHE_HOME:-$HOME/.cache}/agent-sandbox-kit}
export GOTOOLCHAIN=local CGO_ENABLED=0 GOFLAGS="-trimpath -buildvcs=false"

build_containerd() {
  local out="$TOOLS_DIR/containerd-$CONTAINERD_VERSION" m=github.com/containerd/containerd/v2
  [ -x "$out/containerd" ] && [ -x "$out/containerd-shim-runc-v2" ] && [ -x "$out/ctr" ] && { echo "containerd: cached in $out"; return; }
  mkdir -p "$out"
  GOBIN="$out" go install -tags "no_btrfs no_devmapper no_zfs" \
    -ldflags "-s -w -X $m/version.Version=$CONTAINERD_VERSION -X $m/version.Revision=modproxy" \
    "$m/cmd/containerd@$CONTAINERD_VERSION" "$m/cmd/containerd-shim-runc-v2@$CONTAINERD_VERSION" "$m/cmd/ctr@$CONTAINERD_VERSION"
  "$out/containerd" --version
}

# runsc and gVisor's own shim from one source tree: Debian's runsc (2022) cannot network a pod on kernel 6.x,
# and runsc behind containerd's runc shim hangs container starts. Both binaries are built from a copy of the
# module with the shim patch applied (runsc is unchanged by it).
build_gvisor() {
  local out="$TOOLS_DIR/gvisor-$GVISOR_VERSION" src="$TOOLS_DIR/build/gvisor-$GVISOR_VERSION"
  [ -x "$out/runsc" ] && [ -x "$out/containerd-shim-runsc-v1" ] && { echo "gvisor: cached in $out"; return; }
  local module
  module=$(cd "$(mktemp -d)" && go mod download -json "gvisor.dev/gvisor@$GVISOR_VERSION" | sed -n 's/.*"Dir": "\(.*\)".*/\1/p')
  rm -rf "$src" && mkdir -p "$(dirname "$src")" "$out"
  cp -r "$module" "$src" && chmod -R u+w "$src"
  patch -d "$src" -p1 --quiet < "$here/gvisor-shim-oom-score.patch"
  (cd "$src" && go build -ldflags "-s -w" -o "$out/runsc" ./runsc &&
    go build -ldflags "-s -w" -o "$out/containerd-shim-runsc-v1" ./shim)
  rm -rf "$src"
  "$out/runsc" --version
}

build_coredns() {
  local out="$TOOLS_DIR/coredns-$COREDNS_VERSION"
  [ -x "$out/coredns" ] && { echo "coredns: cached in $out"; return; }
  mkdir -p "$out"
  GOBIN="$out" go install -ldflags "-s -w" "github.com/coredns/coredns@$COREDNS_VERSION"
  "$out/coredns" -version
}

tools=("$@")
[ $# -gt 0 ] || tools=(containerd gvisor coredns)
for t in "${tools[@]}"; do
  start=$SECONDS
  case $t in
    containerd|gvisor|coredns) "build_$t" ;;
    *) echo "unknown tool $t (containerd|gvisor|coredns)" >&2; exit 2 ;;
  esac
  echo "$t: done in $((SECONDS - start))s"
done
