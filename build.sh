#!/usr/bin/env bash
# One entry point for building, testing and measuring Engine.
#   ./build.sh            install what is missing, publish the native-AOT server to artifacts/bin/engine
#   ./build.sh test       the above, then the whole test suite (unit, property, loopback, AOT smoke, fleet with redis-server)
#   ./build.sh bench      BenchmarkDotNet micro-benchmarks (perf/Engine.Benchmarks)
#   ./build.sh pingpong   1000-client ping-pong: engine against a LiteNetLib echo server
#   ./build.sh fuzz [s]   bounded afl++ fuzzing of every parser, s seconds in all (default 60; docs/FUZZING.md)
#   ./build.sh loadtest   the player swarm (default: steady, 10,000 players) against the AOT engine; writes reports/latest
#   ./build.sh perf-report  the benchmark suite and the ping-pong, folded into reports/latest (docs/PERF.md)
#   ./build.sh clean      remove build output
set -euo pipefail
cd "$(dirname "$0")"
root=$(pwd)
export DOTNET_CLI_TELEMETRY_OPTOUT=1 DOTNET_NOLOGO=1 DOTNET_SKIP_FIRST_TIME_EXPERIENCE=1

log() { printf '\033[1m==> %s\033[0m\n' "$*"; }

ensure_native_toolchain() {
  # Native AOT links with clang (or gcc) and needs zlib's headers.
  local missing=()
  command -v clang >/dev/null 2>&1 || ls /usr/bin/clang-[0-9]* >/dev/null 2>&1 || missing+=(clang)
  [ -e /usr/include/zlib.h ] || missing+=(zlib1g-dev)
  if [ ${#missing[@]} -gt 0 ]; then
    log "installing ${missing[*]}"
    local sudo=""; [ "$(id -u)" -eq 0 ] || sudo=sudo
    $sudo apt-get update -qq
    DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq "${missing[@]}" >/dev/null
  fi
  if ! command -v clang >/dev/null 2>&1; then
    # Debian ships versioned binaries; point the AOT compiler at the newest one.
    local cl; cl=$(ls /usr/bin/clang-[0-9]* 2>/dev/null | sort -V | tail -n 1)
    export CppCompilerAndLinker="$cl"
  fi
}

publish_engine() {
  ensure_native_toolchain
  log "publishing native-AOT engine"
  local extra=()
  [ -n "${CppCompilerAndLinker:-}" ] && extra+=("-p:CppCompilerAndLinker=$CppCompilerAndLinker")
  dotnet publish engine/Engine.Host/Engine.Host.csproj -c Release -r linux-x64 \
    -o artifacts/bin "${extra[@]}" -nologo -clp:NoSummary
  log "artifacts/bin/engine ($(du -h artifacts/bin/engine | cut -f1))"
}

run_tests() {
  log "building the solution"
  dotnet build Engine.sln -c Release -nologo -clp:NoSummary
  # The admin endpoint's scrape test needs Debian's prometheus; says so only when it installs it.
  tests/Engine.Tests/Admin/ensure-prometheus.sh
  # The fleet tests start their own redis-server; Debian's, installed here when missing.
  tests/Engine.Tests/Fleet/ensure-redis.sh
  log "running tests"
  ENGINE_BINARY="$root/artifacts/bin/engine" dotnet test tests/Engine.Tests/Engine.Tests.csproj \
    -c Release --no-build -nologo --logger "console;verbosity=normal" --blame-hang-timeout 5m
}

# ./build.sh perf-report [--reports DIR] [--report DIR] [--filter GLOB] [pingpong options...]
perf_report() {
  local reports="reports" report="" filter="*" pingpong=()
  while [ $# -gt 0 ]; do
    case "$1" in
      --reports) reports="$2"; shift 2 ;;
      --report) report="$2"; shift 2 ;;
      --filter) filter="$2"; shift 2 ;;
      *) pingpong+=("$1"); shift ;;
    esac
  done
  local work="$root/artifacts/perf-report/$(date -u +%Y%m%d-%H%M%S)"
  mkdir -p "$work"
  log "benchmarks ($filter), results in $work/bdn"
  dotnet run -c Release --project perf/Engine.Benchmarks -- bench --filter "$filter" \
    --exporters json --artifacts "$work/bdn"
  log "ping-pong"
  # A server that produced no round trips makes the ping-pong exit 1; its row still goes into the report.
  dotnet run -c Release --project perf/Engine.Benchmarks -- pingpong --engine "$root/artifacts/bin/engine" \
    --json "$work/pingpong.json" "${pingpong[@]}" || [ -s "$work/pingpong.json" ]
  log "folding into the report"
  dotnet build loadtest/Engine.LoadTest/Engine.LoadTest.csproj -c Release -nologo -clp:NoSummary -v quiet
  local where=(--reports "$reports"); [ -n "$report" ] && where+=(--report "$report")
  artifacts/build/bin/Engine.LoadTest/release/loadtest fold-perf --bdn "$work/bdn/results" \
    --pingpong "$work/pingpong.json" "${where[@]}"
}

case "${1:-publish}" in
  publish|"") publish_engine ;;
  test) publish_engine; run_tests; fuzz/run.sh ;;
  bench) shift; dotnet run -c Release --project perf/Engine.Benchmarks -- bench "$@" ;;
  pingpong) shift; publish_engine; dotnet run -c Release --project perf/Engine.Benchmarks -- pingpong --engine "$root/artifacts/bin/engine" "$@" ;;
  loadtest)
    shift; publish_engine
    log "building the load-test swarm"
    dotnet build loadtest/Engine.LoadTest/Engine.LoadTest.csproj -c Release -nologo -clp:NoSummary
    artifacts/build/bin/Engine.LoadTest/release/loadtest --engine "$root/artifacts/bin/engine" "$@" ;;
  perf-report) shift; publish_engine; perf_report "$@" ;;
  fuzz) shift; fuzz/run.sh "$@" ;;
  clean) rm -rf artifacts BenchmarkDotNet.Artifacts ;;
  *) echo "usage: ./build.sh [publish|test|bench|pingpong|loadtest|perf-report|fuzz|clean]" >&2; exit 2 ;;
esac
