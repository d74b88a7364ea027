#!/usr/bin/env bash
# Builds the offline Pulumi toolchain from the Go module proxy through wrapper modules (none of the three
# can be `go install`ed: their go.mod files carry replaces, and two of the modules have no tags of their own).
# Output: $TOOLS_DIR/pulumi-$PULUMI_VERSION/bin/{pulumi,pulumi-resource-kubernetes,...}: an installation root
# for the Automation API (PulumiCommand.get({ root })), and a PATH entry so the CLI finds the plugins ambiently.
# Each binary is cached by version, so a second run costs nothing; a binary that cannot be built here is
# reported with its failing command and the script exits non-zero after trying the others.
set -uo pipefail
here=$(cd "$(dirname "$0")" && pwd)
PULUMI_VERSION=${PULUMI_VERSION:-v3.248.0}                 # must match npm @pulumi/pulumi
TOOLS_DIR=${TOOLS_DIR:-${XDG_CACHE_HOME:-$HOME/.cache}/agent-sandbox-kit}
out="$TOOLS_DIR/pulumi-$PULUMI_VERSION/bin"
work="$TOOLS_DIR/build/pulumi-$PULUMI_VERSION"
mkdir -p "$out" "$work"
export GOTOOLCHAIN=local GOFLAGS="-trimpath -buildvcs=false" CGO_ENABLED=0
# Recent Pulumi releases are not (yet) in the checksum database the proxy fronts; their hashes are still
# recorded in the wrapper's go.sum, so later builds are pinned to what the first one saw.
export GONOSUMDB="github.com/pulumi/*${GONOSUMDB:+,$GONOSUMDB}"
# At low priority, so a machine shared with other builds stays usable; PULUMI_BUILD_JOBS=1 to yield further.
build() { nice -n 10 go build -p "${PULUMI_BUILD_JOBS:-$(nproc)}" "$@"; }
failed=()

new_wrapper() { # dir module-name go-version
  mkdir -p "$1" && cd "$1" || return 1
  [ -f go.mod ] || printf 'module %s\n\ngo %s\n' "$2" "$3" > go.mod
}

build_cli() {
  [ -x "$out/pulumi" ] && { echo "pulumi: cached"; return 0; }
  local gomod
  gomod=$(cd "$(mktemp -d)" && go mod download -json "github.com/pulumi/pulumi/pkg/v3@$PULUMI_VERSION" |
    sed -n 's/.*"GoMod": "\(.*\)".*/\1/p') || return 1
  new_wrapper "$work/cli" local/pulumibuild "$(sed -n 's/^go //p' "$gomod")" || return 1
  # The same replaces as pkg/go.mod and sdk/go.mod, minus the in-repo ones.
  go mod edit -replace=github.com/atotto/clipboard=github.com/tgummerer/clipboard@v0.0.0-20241001131231-d02d263e614e
  go get "github.com/pulumi/pulumi/pkg/v3/cmd/pulumi@$PULUMI_VERSION" "github.com/pulumi/pulumi/sdk/v3@$PULUMI_VERSION" || return 1
  build -tags osusergo,grpcnotrace \
    -ldflags "-s -w -X github.com/pulumi/pulumi/sdk/v3/go/common/version.Version=$PULUMI_VERSION" \
    -o "$out/pulumi" github.com/pulumi/pulumi/pkg/v3/cmd/pulumi || return 1
  "$out/pulumi" version
}

# The Node.js language host. Its own module (sdk/nodejs/cmd/pulumi-language-nodejs/v3) has no tags and the
# proxy here refuses its pseudo-versions, but until v3.68.0 the host lived inside the sdk/v3 module, which
# the proxy serves (v3.69.0 is the first release without it). That host speaks the LanguageRuntime protocol
# the 3.248 CLI still falls back to (no Handshake, GetRequiredPlugins instead of GetRequiredPackages) and
# starts @pulumi/pulumi's own cmd/run, so the npm SDK decides how the program runs. Two gaps: it ignores
# Pulumi.yaml's runtime options (TypeScript is always on, through the project's ts-node), and it answers
# RunPlugin, which the CLI uses for Node.js policy packs, with "not supported". So it is installed as
# libexec/pulumi-language-nodejs behind bin/pulumi-language-nodejs, our pass-through that adds RunPlugin
# (pulumi-language-nodejs/main.go here). A wrapper module each, because `go install ...@v3.68.0` refuses
# sdk/v3's replace directive.
LANGUAGE_HOST_SDK=${LANGUAGE_HOST_SDK:-v3.68.0}
build_language_host() {
  local host="$out/../libexec/pulumi-language-nodejs"
  if [ -x "$host" ]; then echo "pulumi-language-nodejs $LANGUAGE_HOST_SDK: cached"; else
    new_wrapper "$work/language-host" local/pulumilanguagenodejs 1.18 || return 1
    go get "github.com/pulumi/pulumi/sdk/v3/nodejs/cmd/pulumi-language-nodejs@$LANGUAGE_HOST_SDK" || return 1
    build -ldflags "-s -w -X github.com/pulumi/pulumi/sdk/v3/go/common/version.Version=$LANGUAGE_HOST_SDK" \
      -o "$host" github.com/pulumi/pulumi/sdk/v3/nodejs/cmd/pulumi-language-nodejs || return 1
  fi
  # The pass-through is keyed by its source, so an edit rebuilds it.
  local sum; sum=$(sha256sum "$here/pulumi-language-nodejs/main.go" | cut -c1-12)
  [ -x "$out/pulumi-language-nodejs" ] && [ "$(cat "$out/.pulumi-language-nodejs.sum" 2>/dev/null)" = "$sum" ] &&
    { echo "pulumi-language-nodejs pass-through: cached"; return 0; }
  new_wrapper "$work/language-host-proxy" local/pulumilanguageproxy 1.24 || return 1
  mkdir -p cmd/pulumi-language-nodejs && cp "$here/pulumi-language-nodejs/main.go" cmd/pulumi-language-nodejs/ || return 1
  go get "github.com/pulumi/pulumi/sdk/v3@$PULUMI_VERSION" && go mod tidy || return 1
  build -ldflags "-s -w" -o "$out/pulumi-language-nodejs" ./cmd/pulumi-language-nodejs &&
    echo "$sum" > "$out/.pulumi-language-nodejs.sum"
}

# provider/v4 has no tags either; upstream builds it from the commit of the root tag v4.34.2 (= npm @pulumi/kubernetes).
# The module proxy here refuses that tag and every listing for pulumi-kubernetes ("403 This module version is
# not available"), so we build the newest commit it serves; the binary is stamped with that pseudo-version
# so nobody mistakes it for 4.34.2. Ambient plugins are used whatever version the SDK asks for.
PULUMI_KUBERNETES_PROVIDER=${PULUMI_KUBERNETES_PROVIDER:-v4.0.0-20260115033456-f47bc2d6f199}
build_provider() {
  [ -x "$out/pulumi-resource-kubernetes" ] && { echo "pulumi-resource-kubernetes: cached"; return 0; }
  local mod=github.com/pulumi/pulumi-kubernetes/provider/v4 version=$PULUMI_KUBERNETES_PROVIDER
  local src cmd="$work/provider/cmd/pulumi-resource-kubernetes"
  new_wrapper "$work/provider" local/pk8sbuild 1.24.7 || return 1
  go get "$mod/pkg/provider@$version" "$mod/pkg/version@$version" || return 1
  src=$(go list -m -f '{{.Dir}}' "$mod")/cmd/pulumi-resource-kubernetes
  mkdir -p "$cmd" && cp "$src/main.go" "$cmd/" && chmod u+w "$cmd/main.go"
  # What the provider's `go generate` step does: the schema stamped with our version, both files
  # re-serialised compactly. They are gitignored upstream, hence absent from the module zip.
  node -e 'const fs=require("fs");const s=JSON.parse(fs.readFileSync(process.argv[1]));s.version=process.argv[2];fs.writeFileSync(process.argv[3],JSON.stringify(s))' \
    "$src/schema.json" "${version#v}" "$cmd/schema-embed.json" || return 1
  node -e 'const fs=require("fs");fs.writeFileSync(process.argv[2],JSON.stringify(JSON.parse(fs.readFileSync(process.argv[1]))))' \
    "$src/terraform-mapping.json" "$cmd/terraform-mapping-embed.json" || return 1
  build -ldflags "-s -w -X $mod/pkg/version.Version=${version#v}" \
    -o "$out/pulumi-resource-kubernetes" ./cmd/pulumi-resource-kubernetes
}

run() { local name=$1; shift; local t0=$SECONDS
  if ( "$@" ); then echo "$name: ok ($((SECONDS - t0))s)"; else echo "$name: FAILED ($((SECONDS - t0))s)" >&2; failed+=("$name"); fi
}

steps=("${@:-language-host cli provider}")
for step in ${steps[*]}; do
  case $step in
    cli) run pulumi build_cli ;;
    provider) run pulumi-resource-kubernetes build_provider ;;
    language-host) run pulumi-language-nodejs build_language_host ;;
    *) echo "unknown step $step (cli|provider|language-host)" >&2; exit 2 ;;
  esac
done
[ ${#failed[@]} -eq 0 ] || { echo "not built: ${failed[*]}" >&2; exit 1; }
