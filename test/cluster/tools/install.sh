#!/usr/bin/env bash
# Installs every binary the local control plane needs, idempotently, into the version-keyed cache
# $TOOLS_DIR (default ~/.cache/agent-sandbox-kit): kube-apiserver/-controller-manager/-scheduler
# and etcd (built from the Go module proxy) and kwok (go install). A warm second run takes well
# under a second. `install.sh --real-node` also builds the real node's binaries: kubelet and kube-proxy
# (build-kube.sh), containerd, gVisor and CoreDNS (build-node.sh). ETCD_BIN=/usr/bin/etcd (Debian etcd-server 3.4) skips the etcd build, but
# client-go >= 0.35 informers then keep failing their streaming LISTs (see build-etcd.sh).
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
set -a; . "$here/versions.env"; set +a
export TOOLS_DIR=${TOOLS_DIR:-${XDG_CACHE_HOME:-$HOME/.cache}/agent-sandbox-kit}
real_node=false
case "${1:-}" in
  --real-node) real_node=true ;;
  "") ;;
  *) echo "usage: install.sh [--real-node]" >&2; exit 2 ;;
esac

"$here/build-kube.sh"

kwok_dir="$TOOLS_DIR/kwok-$KWOK_VERSION"
if [ -x "$kwok_dir/kwok" ]; then
  echo "kwok $KWOK_VERSION: cached in $kwok_dir"
else
  mkdir -p "$kwok_dir"
  GOTOOLCHAIN=local CGO_ENABLED=0 GOBIN="$kwok_dir" \
    go install -trimpath -ldflags "-s -w" "sigs.k8s.io/kwok/cmd/kwok@$KWOK_VERSION"
  "$kwok_dir/kwok" --version
fi

[ -n "${ETCD_BIN:-}" ] || "$here/build-etcd.sh"

if $real_node; then
  "$here/build-kube.sh" kubelet kube-proxy
  "$here/build-node.sh"
fi
