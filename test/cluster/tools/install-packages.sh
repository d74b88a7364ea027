#!/usr/bin/env bash
# Debian packages of the real node and the image builder: runc, CNI plugins, nft for kube-proxy, buildah and
# mmdebstrap for images, patch for the gVisor shim. Idempotent: one `apt-get update`, only when one is missing.
set -euo pipefail
packages=(buildah mmdebstrap runc containernetworking-plugins iptables nftables conntrack socat busybox-static uidmap patch)
missing=()
for p in "${packages[@]}"; do dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed' || missing+=("$p"); done
[ ${#missing[@]} -eq 0 ] && { echo "Debian packages: all installed"; exit 0; }
echo "Debian packages: installing ${missing[*]}"
apt-get update -qq
DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
