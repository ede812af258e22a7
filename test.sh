#!/usr/bin/env bash
# The whole test suite. Installs what is missing (scripts/setup.sh), builds, runs every test project,
# and ends with one line "N passed, N failed, N skipped" summed over all projects' TRX results.
set -uo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
cd "$root"
# ./test.sh --arm64 also runs the linux-arm64 bundle under QEMU (publishes the bundle: several more minutes, so opt-in).
setup_flags=(--tests)
if [ "${1:-}" = "--arm64" ]; then setup_flags+=(--arm64); export LOOKOUT_ARM64_TESTS=1; fi
bash scripts/setup.sh "${setup_flags[@]}" || { echo "0 passed, 1 failed"; exit 1; }
export LOOKOUT_CACHE="${LOOKOUT_CACHE:-$root/.cache}"
export LD_PRELOAD="/usr/lib/x86_64-linux-gnu/libtcmalloc_minimal.so.4${LD_PRELOAD:+:$LD_PRELOAD}"
export DOTNET_CLI_TELEMETRY_OPTOUT=1 DOTNET_NOLOGO=1
results="$root/TestResults"
rm -rf "$results"; mkdir -p "$results"

if ! dotnet build Lookout.slnx -c Release -v quiet -nologo; then
  echo "build failed" >&2; echo "0 passed, 1 failed"; exit 1
fi

status=0
for proj in tests/*/*.csproj; do
  # Support projects (tests/Lookout.TestSupport: shared helpers) hold no tests and write no TRX.
  grep -q '<IsTestProject>true</IsTestProject>' "$proj" || continue
  name="$(basename "$proj" .csproj)"
  dotnet test "$proj" -c Release --no-build --logger "trx;LogFileName=$name.trx" --results-directory "$results" \
    -- RunConfiguration.TestSessionTimeout=1800000 || status=1
done

# Sum counters from every TRX file: <Counters total=".." executed=".." passed=".." failed=".." ...>; a skipped test
# counts in total but not in executed (xunit leaves notExecuted at 0).
read -r passed failed skipped < <(
  cat "$results"/*.trx 2>/dev/null | grep -o '<Counters [^>]*>' | awk '
    { for (i=1;i<=NF;i++) { split($i,kv,"="); gsub(/[">\/]/,"",kv[2]);
        if (kv[1]=="passed") p+=kv[2]; else if (kv[1]=="failed") f+=kv[2];
        else if (kv[1]=="total") t+=kv[2]; else if (kv[1]=="executed") e+=kv[2]; } }
    END { printf "%d %d %d\n", p, f, t - e }')
total=$((passed + failed))
[ "$total" -gt 0 ] || { status=1; echo "no test ran" >&2; }
[ "$failed" -eq 0 ] || status=1
echo "$passed passed, $failed failed, $skipped skipped"
exit $status
