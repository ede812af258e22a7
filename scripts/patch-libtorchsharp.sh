#!/usr/bin/env bash
# Marks libLibTorchSharp.so's reference to GLIBCXX_3.4.32 as weak (VER_FLG_WEAK = 2).
# Why: TorchSharp 0.107 is built with GCC 13 whose <iostream> emits a reference to
# _ZSt21ios_base_library_initv@GLIBCXX_3.4.32, a marker nothing calls; Debian 12's libstdc++ stops at 3.4.30,
# so the loader refuses the library ("doesn't contain a reference to libtorch-cpu-linux-x64").
# Idempotent: a file already patched (or not needing it) is left alone.
set -euo pipefail
lib="$1"
[ -f "$lib" ] || { echo "patch-libtorchsharp: no such file: $lib" >&2; exit 1; }
# Section header of .gnu.version_r: file offset of the section.
sec_off=$(readelf -W -S "$lib" | awk '$0 ~ /\.gnu\.version_r/ { for (i=1;i<=NF;i++) if ($i==".gnu.version_r") { print $(i+3); exit } }')
[ -n "$sec_off" ] || { echo "patch-libtorchsharp: no .gnu.version_r in $lib" >&2; exit 1; }
# readelf -V prints each Vernaux as "  0x00a0:   Name: GLIBCXX_3.4.32  Flags: none  Version: 12" (offset within section).
line=$(readelf -W -V "$lib" | grep -E "Name: GLIBCXX_3\.4\.32 " || true)
[ -n "$line" ] || exit 0
case "$line" in *"Flags: WEAK"*|*"Flags: weak"*) exit 0 ;; esac
entry_off=$(echo "$line" | awk '{ sub(":", "", $1); print $1 }')
# Vernaux layout: vna_hash u32, vna_flags u16, vna_other u16, vna_name u32, vna_next u32.
flags_pos=$(( 0x$sec_off + entry_off + 4 ))
printf '\x02' | dd of="$lib" bs=1 seek="$flags_pos" conv=notrunc status=none
readelf -W -V "$lib" | grep -E "Name: GLIBCXX_3\.4\.32 " | grep -qi weak || { echo "patch-libtorchsharp: patch did not take in $lib" >&2; exit 1; }
