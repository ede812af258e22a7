#!/usr/bin/env bash
# Runs an arm64 program (the bundle's app/lookout) on this x86-64 machine under qemu-user, seeing the CPU a
# Raspberry Pi 4 has: qemu emulates a Cortex-A72 (no SVE/SME, which a Pi lacks), and /proc/cpuinfo — which
# qemu-user 7.2 passes through from the x86-64 host — is replaced, in a private mount namespace, by an arm64 one.
# Without that, ONNX Runtime's CPU detection (cpuinfo) parses the host's x86 file and crashes on some hosts (seen on
# an AMD Zen 4 host: SIGSEGV at its first session; a board never sees an x86 /proc/cpuinfo).
# Usage: scripts/run-arm64-emulated.sh <arm64-program> [args...]
set -euo pipefail
qemu=/usr/bin/qemu-aarch64-static
[ -x "$qemu" ] || { echo "qemu-user-static missing: run scripts/setup.sh --arm64" >&2; exit 127; }
# One file per CPU count, written atomically and kept: this script execs qemu (one process to signal or kill).
cpuinfo="${TMPDIR:-/tmp}/lookout-arm64-cpuinfo-$(nproc --all)"
tmp="$(mktemp "$cpuinfo.XXXXXX")"
for ((i = 0; i < $(nproc --all); i++)); do
  printf 'processor\t: %d\nBogoMIPS\t: 108.00\nFeatures\t: fp asimd evtstrm crc32 cpuid\nCPU implementer\t: 0x41\nCPU architecture: 8\nCPU variant\t: 0x0\nCPU part\t: 0xd08\nCPU revision\t: 3\n\n' "$i"
done > "$tmp"
printf 'Hardware\t: BCM2835\nModel\t\t: Raspberry Pi 4 Model B (emulated)\n' >> "$tmp"
mv -f "$tmp" "$cpuinfo"
if [ "$(id -u)" -eq 0 ]; then ns=(unshare --mount); else ns=(unshare --mount --map-root-user); fi
# The bind mount exists only inside the namespace (and goes with it).
exec "${ns[@]}" sh -c 'mount --bind "$1" /proc/cpuinfo && shift && exec "$@"' sh "$cpuinfo" "$qemu" -cpu cortex-a72 "$@"
