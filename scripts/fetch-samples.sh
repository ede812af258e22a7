#!/usr/bin/env bash
# Fetches real photos for Lookout's semantic tests and benchmarks once into the cache (never committed):
# the six demo photos of @vladmandic/face-api 1.7.15 (npm, MIT, (c) Vladimir Mandic; photos shot by the author,
# 1920 px wide, 3-7 people each, frontal and near-frontal faces). Nothing reads them at run time.
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/npm-fetch.sh"
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cache="${LOOKOUT_CACHE:-$root/.cache}"
pkg="@vladmandic/face-api"
ver="1.7.15"
dest="$cache/samples/face-api-$ver"
integrity="sha512-WDMmK3CfNLo8jylWqMoQgf4nIst3M0fzx1dnac96wv/dvMTN4DxC/Pq1DGtduDk1lktCamQ3MIDXFnvrdHTXDw=="
[ -f "$dest/.complete" ] && exit 0
mkdir -p "$cache/samples"
echo "setup: fetching sample photos from $pkg@$ver (13 MB, once)" >&2
tmp="$(mktemp -d "$cache/samples/fetch.XXXXXX")"
trap 'rm -rf "$tmp"' EXIT
npm_fetch "$pkg" "$ver" "$integrity" "$tmp"
rm -rf "$dest" && mkdir -p "$dest"
mv "$tmp"/x/package/demo/sample*.jpg "$dest/"
cp "$tmp/x/package/LICENSE" "$dest/LICENSE"
touch "$dest/.complete"
