#!/usr/bin/env bash
# Builds Kubernetes binaries from the Go module proxy through a wrapper module (k8s.io/kubernetes
# cannot be `go install`ed: its go.mod has replaces). Usage: build-kube.sh [binary...], default the
# plane's kube-apiserver, kube-controller-manager and kube-scheduler; the real node adds kubelet and
# kube-proxy (same module, wrapper, flags and Go caches). Output: $TOOLS_DIR/kube-$KUBE_VERSION/<binary>.
# Cached by version: a second run costs nothing.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
. "$here/versions.env"   # KUBE_VERSION
TOOLS_DIR=${TOOLS_DIR:-${XDG_CACHE_HOME:-$HOME/.cache}/agent-sandbox-kit}
out="$TOOLS_DIR/kube-$KUBE_VERSION"
bins=("$@")
[ $# -gt 0 ] || bins=(kube-apiserver kube-controller-manager kube-scheduler)
have_all() { for b in "${bins[@]}"; do [ -x "$out/$b" ] || return 1; done; }
if have_all; then echo "kube $KUBE_VERSION (${bins[*]}): cached in $out"; exit 0; fi

work="$TOOLS_DIR/build/kube-$KUBE_VERSION"
mkdir -p "$work" "$out"
cd "$work"
export GOTOOLCHAIN=local GOFLAGS=-trimpath CGO_ENABLED=0
staging_version="v0.${KUBE_VERSION#v1.}"

# The staging module list and go/godebug lines come from the exact go.mod we build.
upstream_gomod=$(cd "$(mktemp -d)" && go mod download -json "k8s.io/kubernetes@$KUBE_VERSION" | sed -n 's/.*"GoMod": "\(.*\)".*/\1/p')
{
  echo "module local/k8sbuild"; echo
  echo "go $(sed -n 's/^go //p' "$upstream_gomod")"
  grep '^godebug' "$upstream_gomod" || true
} > go.mod
for m in $(sed -n 's#^[[:space:]]*\(k8s\.io/[^ ]*\) => \./staging/.*#\1#p' "$upstream_gomod"); do
  go mod edit -replace="$m=$m@$staging_version"
done
pkgs=()
for b in "${bins[@]}"; do pkgs+=("k8s.io/kubernetes/cmd/$b"); done
go get "${pkgs[@]/%/@$KUBE_VERSION}"

# Without version stamping /version reports v0.0.0 and pulumi-kubernetes refuses the cluster.
minor=$(echo "$KUBE_VERSION" | cut -d. -f2)
ldflags="-s -w"
for p in k8s.io/component-base/version k8s.io/client-go/pkg/version; do
  ldflags="$ldflags -X $p.gitVersion=$KUBE_VERSION -X $p.gitMajor=1 -X $p.gitMinor=$minor -X $p.gitTreeState=clean -X $p.buildDate=1970-01-01T00:00:00Z"
done
go build -p "$(nproc)" -tags selinux,notest -ldflags "$ldflags" -o "$out/" "${pkgs[@]}"
"$out/${bins[0]}" --version
