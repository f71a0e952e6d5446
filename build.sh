#!/usr/bin/env bash
# One entry point for building, testing and measuring Engine.
#   ./build.sh            install what is missing, publish the native-AOT server to artifacts/bin/engine
#   ./build.sh test       the above, then the whole test suite (unit, property, loopback, AOT smoke, fleet with redis-server,
#                         the SDK's netstandard2.1 and net8.0 builds against the AOT engine), the SDK packages and their consumers
#   ./build.sh bench      BenchmarkDotNet micro-benchmarks (perf/Engine.Benchmarks)
#   ./build.sh pingpong   1000-client ping-pong: engine against a LiteNetLib echo server
#   ./build.sh fuzz [s]   bounded afl++ fuzzing of every parser, s seconds in all (default 60; docs/FUZZING.md)
#   ./build.sh loadtest   the player swarm (default: steady, 10,000 players) against the AOT engine; writes reports/latest
#                         (`loadtest coordinator|agent ...`: the swarm spread over agents on NATS; installs nats-server)
#   ./build.sh perf-report  the benchmark suite and the ping-pong, folded into reports/latest (docs/PERF.md)
#   ./build.sh sdk        the client SDK for games: NuGet packages, a Unity package and a Godot sample in artifacts/sdk (docs/CLIENT.md)
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
  # The distributed load test's test starts a nats-server of its own (Debian's).
  loadtest/ensure-nats-server.sh
  # The fleet tests start their own redis-server; Debian's, installed here when missing.
  tests/Engine.Tests/Fleet/ensure-redis.sh
  log "running tests"
  ENGINE_BINARY="$root/artifacts/bin/engine" dotnet test tests/Engine.Tests/Engine.Tests.csproj \
    -c Release --no-build -nologo --logger "console;verbosity=normal" --blame-hang-timeout 5m
  log "running the SDK's tests on its netstandard2.1 (Unity) and net8.0 (Godot) builds against the AOT engine"
  for target in Netstandard Net8; do
    ENGINE_BINARY="$root/artifacts/bin/engine" dotnet test "tests/Engine.Sdk.Tests/Engine.Sdk.Tests.$target.csproj" \
      -c Release --no-build -nologo --logger "console;verbosity=normal" --blame-hang-timeout 5m
  done
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

# A .meta file with a GUID derived from the path: Unity ignores files without one in an immutable package.
unity_meta() {
  local path="$1" relative="$2" guid
  guid=$(printf 'com.engine.client/%s' "$relative" | md5sum | cut -c1-32)
  if [ -d "$path" ]; then
    printf 'fileFormatVersion: 2\nguid: %s\nfolderAsset: yes\nDefaultImporter:\n  externalObjects: {}\n  userData: \n  assetBundleName: \n  assetBundleVariant: \n' "$guid" > "$path.meta"
  else
    printf 'fileFormatVersion: 2\nguid: %s\n' "$guid" > "$path.meta"
  fi
}

# ./build.sh sdk: artifacts/sdk/nuget (the packages), unity/com.engine.client (UPM), godot/EngineQuickMatch;
# then a netstandard2.1 (Unity) and a net8.0 (Godot) consumer compile the samples against the packages.
build_sdk() {
  local out="$root/artifacts/sdk" version
  version=$(dotnet msbuild engine/Engine.Client/Engine.Client.csproj -getProperty:Version -nologo)
  rm -rf "$out" "$root/artifacts/sdk-verify"
  log "packing Engine.Protocol and Engine.Client $version (netstandard2.1, net8.0, net10.0)"
  for project in Engine.Protocol Engine.Client; do
    dotnet pack "engine/$project/$project.csproj" -c Release -o "$out/nuget" -nologo -clp:NoSummary
  done

  log "Unity package (UPM): artifacts/sdk/unity/com.engine.client"
  local upm="$out/unity/com.engine.client"
  mkdir -p "$upm/Runtime"
  for project in Engine.Protocol Engine.Client; do
    cp "artifacts/build/bin/$project/release_netstandard2.1/$project.dll" "$upm/Runtime/"
  done
  cp sdk/unity/link.xml "$upm/Runtime/"
  cp sdk/unity/README.md "$upm/"
  cp -r "sdk/unity/Samples~" "$upm/"
  sed "s/@VERSION@/$version/" sdk/unity/package.json > "$upm/package.json"
  local file
  for file in Runtime Runtime/Engine.Protocol.dll Runtime/Engine.Client.dll Runtime/link.xml README.md package.json; do
    unity_meta "$upm/$file" "$file"
  done

  log "Godot 4 sample project: artifacts/sdk/godot/EngineQuickMatch"
  mkdir -p "$out/godot"
  # MSBuild looks for build settings up the tree: stop it here, so the sample builds as a game's would.
  printf '<Project />\n' | tee "$out/Directory.Build.props" > "$out/Directory.Packages.props"
  cp -r sdk/godot/EngineQuickMatch "$out/godot/"
  sed -i "s/@VERSION@/$version/" "$out/godot/EngineQuickMatch/EngineQuickMatch.csproj"

  # The consumers restore the packages just made into their own folder, so no older build of the same
  # version in the machine's package cache can stand in for them (the cache still serves everything else).
  log "compiling a netstandard2.1 (Unity) and a net8.0 (Godot) consumer against the packages"
  local restore=(-p:SdkVersion="$version" -p:RestoreAdditionalProjectSources="$out/nuget"
    -p:RestorePackagesPath="$root/artifacts/sdk-verify/packages" -p:RestoreFallbackFolders="${NUGET_PACKAGES:-$HOME/.nuget/packages}")
  for consumer in UnityConsumer GodotConsumer; do
    dotnet build "sdk/verify/$consumer/$consumer.csproj" -c Release "${restore[@]}" -nologo -clp:NoSummary
  done
  log "artifacts/sdk: $(cd "$out" && find . -name '*.nupkg' | sort | tr '\n' ' ')"
}

case "${1:-publish}" in
  publish|"") publish_engine ;;
  test) publish_engine; run_tests; build_sdk; fuzz/run.sh ;;
  bench) shift; dotnet run -c Release --project perf/Engine.Benchmarks -- bench "$@" ;;
  pingpong) shift; publish_engine; dotnet run -c Release --project perf/Engine.Benchmarks -- pingpong --engine "$root/artifacts/bin/engine" "$@" ;;
  loadtest)
    shift
    # An agent needs no engine; a coordinator and its agents talk over NATS (docs/LOADTEST.md, "Distributed").
    verb=(); engine=(--engine "$root/artifacts/bin/engine")
    case "${1:-}" in
      coordinator) verb=(coordinator); shift; loadtest/ensure-nats-server.sh ;;
      agent) verb=(agent); engine=(); shift; loadtest/ensure-nats-server.sh ;;
    esac
    # Against a fleet (--backend) the nodes are already running: no engine to publish or pass.
    for arg in "$@"; do case "$arg" in --backend|--backend=*) engine=() ;; esac; done
    [ ${#engine[@]} -eq 0 ] || publish_engine
    log "building the load-test swarm"
    dotnet build loadtest/Engine.LoadTest/Engine.LoadTest.csproj -c Release -nologo -clp:NoSummary
    artifacts/build/bin/Engine.LoadTest/release/loadtest "${verb[@]}" "${engine[@]}" "$@" ;;
  perf-report) shift; publish_engine; perf_report "$@" ;;
  fuzz) shift; fuzz/run.sh "$@" ;;
  sdk) build_sdk ;;
  clean) rm -rf artifacts BenchmarkDotNet.Artifacts ;;
  *) echo "usage: ./build.sh [publish|test|bench|pingpong|loadtest|perf-report|fuzz|sdk|clean]" >&2; exit 2 ;;
esac
