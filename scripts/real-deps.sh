#!/usr/bin/env bash
# Install the node_modules of the real-program corpus (testdata/real) with `npm ci` from its committed
# package-lock.json, into a cache outside the repository keyed by the lockfile's sha256, then make
# testdata/real/node_modules a symlink to it. Idempotent; a no-op (bar the symlink) when cached.
# Uses the system node/npm. Prints the node_modules path.
# Cache: ${COREWALK_REAL_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/corewalk/real}/<sha256>/node_modules
set -euo pipefail
cd "$(dirname "$0")/.."
real=$PWD/testdata/real
command -v npm >/dev/null || { echo "real-deps.sh: npm not found" >&2; exit 1; }
sum=$(sha256sum "$real/package-lock.json" | cut -d' ' -f1)
cache=${COREWALK_REAL_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/corewalk/real}
dest="$cache/$sum"
if [ ! -f "$dest/.complete" ]; then
  mkdir -p "$cache"
  tmp=$(mktemp -d "$cache/.install.XXXXXX")
  trap 'rm -rf "$tmp"' EXIT
  cp "$real/package.json" "$real/package-lock.json" "$tmp/"
  (cd "$tmp" && npm ci --no-audit --no-fund --ignore-scripts --loglevel=error >&2) ||
    { echo "real-deps.sh: npm ci failed" >&2; exit 1; }
  touch "$tmp/.complete"
  # Another run may have finished first: keep its copy.
  if [ ! -f "$dest/.complete" ]; then
    rm -rf "$dest"
    mv "$tmp" "$dest"
  fi
fi
link="$real/node_modules"
if [ "$(readlink "$link" 2>/dev/null || true)" != "$dest/node_modules" ]; then
  if [ -e "$link" ] && [ ! -L "$link" ]; then
    echo "real-deps.sh: $link exists and is not a symlink; remove it" >&2; exit 1
  fi
  ln -sfn "$dest/node_modules" "$link"
fi
echo "$dest/node_modules"
