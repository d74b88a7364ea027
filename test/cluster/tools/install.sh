#!/usr/bin/env bash
# Installs every binary the local control plane needs, idempotently, into the version-keyed cache
# $TOOLS_DIR (default ~/.cache/agent-sandbox-kit): kube-apiserver/-controller-manager/-scheduler
# and etcd (built from the Go module proxy) and kwok (go install). A warm second run takes well
# under a second. ETCD_BIN=/usr/bin/etcd (Debian etcd-server 3.4) skips the etcd build, but
# client-go >= 0.35 informers then keep failing their streaming LISTs (see build-etcd.sh).
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
set -a; . "$here/versions.env"; set +a
export TOOLS_DIR=${TOOLS_DIR:-${XDG_CACHE_HOME:-$HOME/.cache}/agent-sandbox-kit}

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

kube_score_dir="$TOOLS_DIR/kube-score-$KUBE_SCORE_VERSION"
if [ -x "$kube_score_dir/kube-score" ]; then
  echo "kube-score $KUBE_SCORE_VERSION: cached in $kube_score_dir"
else
  mkdir -p "$kube_score_dir"
  GOTOOLCHAIN=local CGO_ENABLED=0 GOBIN="$kube_score_dir" \
    nice -n 10 go install -trimpath -ldflags "-s -w" "github.com/zegl/kube-score/cmd/kube-score@$KUBE_SCORE_VERSION"
  "$kube_score_dir/kube-score" version
fi
