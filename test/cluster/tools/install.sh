#!/usr/bin/env bash
# Installs every binary the local control plane needs, idempotently, into the version-keyed cache
# $TOOLS_DIR (default ~/.cache/agent-sandbox-kit): kube-apiserver/-controller-manager/-scheduler
# and etcd (built from the Go module proxy), kwok and kube-score (go install). A warm second run takes well
# under a second. `install.sh --real-node` also builds the real node's binaries: kubelet and kube-proxy
# (build-kube.sh), containerd, gVisor and CoreDNS (build-node.sh), after the Debian packages they and the
# image builder need (install-packages.sh). ETCD_BIN=/usr/bin/etcd (Debian
# etcd-server 3.4) skips the etcd build, but
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

# go_install NAME VERSION PACKAGE VERSION_FLAG: `go install`s PACKAGE@VERSION into $TOOLS_DIR/NAME-VERSION unless it is there.
go_install() {
  local dir="$TOOLS_DIR/$1-$2"
  if [ -x "$dir/$1" ]; then
    echo "$1 $2: cached in $dir"
    return
  fi
  mkdir -p "$dir"
  GOTOOLCHAIN=local CGO_ENABLED=0 GOBIN="$dir" nice -n 10 go install -trimpath -ldflags "-s -w" "$3@$2"
  "$dir/$1" "$4"
}

"$here/build-kube.sh"
go_install kwok "$KWOK_VERSION" sigs.k8s.io/kwok/cmd/kwok --version
[ -n "${ETCD_BIN:-}" ] || "$here/build-etcd.sh"
# kube-score is no part of the plane: the manifest scan in npm test (test/unit/manifests) runs it.
go_install kube-score "$KUBE_SCORE_VERSION" github.com/zegl/kube-score/cmd/kube-score version

if $real_node; then
  "$here/install-packages.sh"
  "$here/build-kube.sh" kubelet kube-proxy
  "$here/build-node.sh"
fi
