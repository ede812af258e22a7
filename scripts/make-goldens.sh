#!/usr/bin/env bash
# Produces the importer's reference outputs: runs the original TF.js models (pure-JS TF.js 4.22.0, pinned in
# scripts/tfjs-golden/package-lock.json) on a deterministic input and stores node outputs in the cache.
# Idempotent: redone only when the model package, the TF.js versions or the golden script change (stamp file).
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cache="${LOOKOUT_CACHE:-$root/.cache}"
src="$root/scripts/tfjs-golden"
models="$cache/human-models-3.0.4/models"
node_dir="$cache/tfjs-golden-node"
out="$cache/tfjs-goldens"
[ -d "$models" ] || { echo "make-goldens: $models missing (run scripts/fetch-models.sh)" >&2; exit 1; }

stamp="human-models-3.0.4 $(cat "$src/package-lock.json" "$src/make-goldens.js" | sha256sum | cut -c1-16)"
if [ -f "$out/.complete" ] && [ "$(cat "$out/.complete")" = "$stamp" ]; then exit 0; fi

echo "setup: computing TF.js reference outputs for the importer tests (~20 s, once)" >&2
mkdir -p "$node_dir"
cp "$src/package.json" "$src/package-lock.json" "$src/make-goldens.js" "$node_dir/"
if ! ( cd "$node_dir" && npm ci --no-audit --no-fund --silent >/dev/null 2>&1 ); then
  echo "make-goldens: npm ci failed in $node_dir" >&2; exit 1
fi
tmp="$(mktemp -d "$cache/goldens.XXXXXX")"
trap 'rm -rf "$tmp"' EXIT
( cd "$node_dir" && node make-goldens.js "$models" "$tmp" 2>&1 | grep -v -e 'tfjs-node' -e '^=*$' -e 'Hi, looks like' -e '^ *$' >&2 ) \
  || { echo "make-goldens: TF.js run failed" >&2; exit 1; }
echo "$stamp" > "$tmp/.complete"
rm -rf "$out" && mv "$tmp" "$out"
trap - EXIT
