#!/usr/bin/env bash
# Makes a self-contained linux-arm64 bundle of Lookout's inference side for a Raspberry Pi (64-bit Raspberry Pi OS /
# Debian 12): `dotnet publish -r linux-arm64 --self-contained` of the CLI (classify, detect, faces, serve, video,
# watch, events), ONNX Runtime / libvips / SkiaSharp / SQLite arm64 natives from their NuGet packages, the chosen
# models, and a README for the board. No libtorch: training, fine-tuning and Grad-CAM stay on x86-64.
#
#   scripts/bundle-arm64.sh --out DIR [--pretrained nanodet,blazeface,faceres] [MODEL.onnx | RUN-FOLDER]...
#
# Layout of DIR:
#   lookout           launcher (sets LOOKOUT_CACHE to DIR/cache unless already set, then runs app/lookout)
#   app/              the published program (.NET runtime included)
#   models/NAME.onnx  the classifiers given (a run folder contributes its model.onnx as RUNID.onnx)
#   cache/models/     converted pretrained models (detector, faces) so the board never converts or downloads
#   README.md         how to run it on the board
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
out="" pretrained="" models=()
while [ $# -gt 0 ]; do
  case "$1" in
    --out) out="$2"; shift 2 ;;
    --pretrained) pretrained="$2"; shift 2 ;;
    -h|--help) sed -n 2,15p "$0"; exit 0 ;;
    -*) echo "bundle-arm64: unknown option $1" >&2; exit 2 ;;
    *) models+=("$1"); shift ;;
  esac
done
[ -n "$out" ] || { echo "bundle-arm64: --out DIR is required" >&2; exit 2; }

# Resolve the models first, so a typo fails before a two-minute publish.
declare -a model_src=() model_name=()
for m in ${models[@]+"${models[@]}"}; do
  if [ -f "$m" ]; then model_src+=("$m"); model_name+=("$(basename "$m")")
  elif [ -f "$m/model.onnx" ]; then model_src+=("$m/model.onnx"); model_name+=("$(basename "$(cd "$m" && pwd)").onnx")
  else echo "bundle-arm64: not a model file or a run folder with model.onnx: $m" >&2; exit 2; fi
done

mkdir -p "$out"
out="$(cd "$out" && pwd)"
rm -rf "$out/app"
echo "bundle-arm64: dotnet publish -r linux-arm64 --self-contained (a few minutes)" >&2
# LookoutBundleBuild (Directory.Build.props) keeps this restore and build in .bundle/ folders, away from the x64 tree.
dotnet publish "$root/src/Lookout.Cli/Lookout.Cli.csproj" -c Release -r linux-arm64 --self-contained true \
  -p:LookoutBundleBuild=true -p:DebugType=none -p:GenerateDocumentationFile=false \
  -o "$out/app" -v quiet -nologo >&2
# A leftover from a linux-x64 package must never ride along (it would only fail to load on the board).
if command -v file >/dev/null 2>&1; then
  bad="$(find "$out/app" -name '*.so*' -type f -exec file {} + | grep -v 'aarch64' || true)"
  [ -z "$bad" ] || { echo "bundle-arm64: non-arm64 native libraries in the bundle:" >&2; echo "$bad" >&2; exit 1; }
fi
[ ! -e "$out/app/libtorch.so" ] || { echo "bundle-arm64: libtorch must not be in the arm64 bundle" >&2; exit 1; }

mkdir -p "$out/models" "$out/cache/models"
for i in ${model_src[@]+"${!model_src[@]}"}; do cp -f "${model_src[$i]}" "$out/models/${model_name[$i]}"; done
if [ -n "$pretrained" ]; then
  # Conversion runs here on x86-64 (the CLI's model cache); the board reads the converted ONNX files.
  IFS=',' read -r -a names <<<"$pretrained"
  for n in "${names[@]}"; do
    path="$("$root/lookout" models path "$n")"
    cp -f "$path" "$out/cache/models/"
  done
fi

cat >"$out/lookout" <<'EOF'
#!/bin/sh
# Lookout for linux-arm64 (made by scripts/bundle-arm64.sh). Pretrained models are read from cache/ beside this file.
here="$(cd "$(dirname "$0")" && pwd)"
: "${LOOKOUT_CACHE:=$here/cache}"
export LOOKOUT_CACHE
exec "$here/app/lookout" "$@"
EOF
chmod +x "$out/lookout" "$out/app/lookout"
cp -f "$root/scripts/bundle-arm64/README-board.md" "$out/README.md"
size="$(du -sb "$out" | cut -f1)"
echo "bundle-arm64: $out ($((size / 1024 / 1024)) MiB, ${#model_src[@]} classifier(s))" >&2
echo "$out"
