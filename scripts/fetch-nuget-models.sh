#!/usr/bin/env bash
# Fetches the ImageNet ResNet-18 that ML.NET ships (NuGet Microsoft.ML.DnnImageFeaturizer.ResNet18 0.24.0, MIT)
# through NuGet once, checks the files against pinned SHA-256 sums and copies them into the cache, where the model
# catalog converts them into the Lookout backbone `resnet18`. No model binaries live in the repository.
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cache="${LOOKOUT_CACHE:-$root/.cache}"
pkg="microsoft.ml.dnnimagefeaturizer.resnet18"
ver="0.24.0"
dest="$cache/nuget/$pkg-$ver"
[ -f "$dest/.complete" ] && exit 0
echo "setup: fetching NuGet $pkg $ver (ImageNet ResNet-18, 64 MB, once)" >&2
tmp="$(mktemp -d "${TMPDIR:-/tmp}/lookout-nuget.XXXXXX")"
trap 'rm -rf "$tmp"' EXIT
# Restored from a copy so the repository gets no obj/ folder.
cp "$root/scripts/nuget-models/nuget-models.csproj" "$tmp/"
DOTNET_CLI_TELEMETRY_OPTOUT=1 DOTNET_NOLOGO=1 dotnet restore "$tmp/nuget-models.csproj" -v quiet >"$tmp/restore.log" 2>&1 \
  || { cat "$tmp/restore.log" >&2; echo "setup: NuGet restore of $pkg $ver failed" >&2; exit 1; }
packages="$(dotnet nuget locals global-packages --list | sed -n 's/^global-packages: *//p')"
src="$packages/$pkg/$ver"
check() { # file sha256
  local actual
  actual="$(sha256sum "$1" | cut -d' ' -f1)"
  [ "$actual" = "$2" ] || { echo "setup: checksum mismatch for $1: $actual" >&2; exit 1; }
}
check "$src/tools/DnnImageModels/ResNet18Onnx/ResNet18.onnx" e2552f19db2dfdb01b3669537b6a0f1b44da38d18279535492ed5dfc2ef1ff8f
check "$src/tools/DnnImageModels/ResNetPrepOnnx/ResNetPreprocess.onnx" 84bf8def78d0befaa3f6e73745d57d7016c6a192ead76f79686bd438c1047004
rm -rf "$dest" && mkdir -p "$dest"
cp "$src/tools/DnnImageModels/ResNet18Onnx/ResNet18.onnx" "$src/tools/DnnImageModels/ResNetPrepOnnx/ResNetPreprocess.onnx" "$src/LICENSE" "$dest/"
touch "$dest/.complete"
