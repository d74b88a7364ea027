#!/usr/bin/env bash
# Builds etcd from the Go module proxy through a wrapper module (go.etcd.io/etcd/server/v3 has
# replace directives, so `go install` refuses it; its siblings are tagged per module, so the
# wrapper needs no replaces). Debian's etcd 3.4 lacks RequestWatchProgress, which makes
# client-go >= 0.35 informers (kwok, KCM) fail their streaming LIST watches over and over.
# Output: $TOOLS_DIR/etcd-$ETCD_VERSION/etcd. Cached by version.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
. "$here/versions.env"   # ETCD_VERSION
TOOLS_DIR=${TOOLS_DIR:-${XDG_CACHE_HOME:-$HOME/.cache}/agent-sandbox-kit}
out="$TOOLS_DIR/etcd-$ETCD_VERSION"
if [ -x "$out/etcd" ]; then echo "etcd $ETCD_VERSION: cached in $out"; exit 0; fi

work="$TOOLS_DIR/build/etcd-$ETCD_VERSION"
mkdir -p "$work" "$out"
cd "$work"
export GOTOOLCHAIN=local GOFLAGS=-trimpath CGO_ENABLED=0
printf 'module local/etcdbuild\n\ngo 1.26\n' > go.mod
go get "go.etcd.io/etcd/server/v3@$ETCD_VERSION"
go build -ldflags "-s -w" -o "$out/etcd" go.etcd.io/etcd/server/v3
"$out/etcd" --version
