#!/usr/bin/env bash
# Bounded coverage-guided fuzzing of every protocol parser (docs/FUZZING.md).
#   fuzz/run.sh [total-seconds] [target...]     default: 60 s shared by all targets
# Installs afl++ (apt-get) and SharpFuzz.CommandLine (artifacts/tools) when missing, publishes
# fuzz/Engine.Fuzz, instruments Engine.Protocol.dll, runs afl-fuzz per target and fails on any
# crash or hang: inputs are printed as hex, replayed with their stack trace, and saved under
# artifacts/fuzz/crashes/<target>/.
# Environment: FUZZ_TIMEOUT_MS (per input, default 2000), FUZZ_KEEP_FINDINGS=1 (do not wipe
# artifacts/fuzz/findings first, so afl-fuzz resumes).
set -euo pipefail
cd "$(dirname "$0")/.."
root=$(pwd)
export DOTNET_CLI_TELEMETRY_OPTOUT=1 DOTNET_NOLOGO=1 DOTNET_SKIP_FIRST_TIME_EXPERIENCE=1

total=${1:-60}
shift || true
out=artifacts/fuzz
bin=$out/bin
tools=artifacts/tools
sharpfuzz_version=2.3.0
timeout_ms=${FUZZ_TIMEOUT_MS:-2000}

log() { printf '\033[1m==> %s\033[0m\n' "$*"; }

if ! command -v afl-fuzz >/dev/null 2>&1; then
  log "installing afl++"
  sudo=""; [ "$(id -u)" -eq 0 ] || sudo=sudo
  $sudo apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq afl++ >/dev/null
fi
if [ ! -x "$tools/sharpfuzz" ]; then
  log "installing SharpFuzz.CommandLine $sharpfuzz_version into $tools"
  dotnet tool install --tool-path "$tools" SharpFuzz.CommandLine --version "$sharpfuzz_version" >/dev/null
fi

log "publishing fuzz/Engine.Fuzz and instrumenting Engine.Protocol"
rm -rf "$bin"
dotnet publish fuzz/Engine.Fuzz/Engine.Fuzz.csproj -c Release -o "$bin" -nologo -clp:NoSummary >/dev/null
# Crashes are replayed by an uninstrumented copy: instrumented code needs afl's shared memory.
rm -rf "$out/replay"
cp -r "$bin" "$out/replay"
"$tools/sharpfuzz" "$bin/Engine.Protocol.dll"

if [ $# -gt 0 ]; then targets=("$@"); else mapfile -t targets < <(dotnet "$out/replay/Engine.Fuzz.dll" list); fi
per=$(( total / ${#targets[@]} ))
[ "$per" -ge 3 ] || per=3
log "fuzzing ${#targets[@]} targets for ${per} s each"

[ "${FUZZ_KEEP_FINDINGS:-0}" = 1 ] || rm -rf "$out/findings"
rm -rf "$out/crashes"
mkdir -p "$out/findings" "$out/crashes"

# The target is the dotnet host, not an afl-compiled binary; SharpFuzz speaks the fork-server
# protocol from managed code and runs inputs in-process (persistent), so each run is cheap.
export AFL_SKIP_BIN_CHECK=1 AFL_NO_UI=1 AFL_I_DONT_CARE_ABOUT_MISSING_CRASHES=1 AFL_SKIP_CPUFREQ=1 \
  AFL_NO_AFFINITY=1 AFL_FAST_CAL=1 AFL_FORKSRV_INIT_TMOUT=60000 AFL_IGNORE_UNKNOWN_ENVS=1
failed=0
summary=()
for t in "${targets[@]}"; do
  findings=$out/findings/$t
  resume=()
  if [ -d "$findings/default/queue" ]; then resume=(-i -); export AFL_AUTORESUME=1; else resume=(-i "fuzz/corpus/$t"); fi
  if ! afl-fuzz "${resume[@]}" -o "$findings" -V "$per" -t "$timeout_ms" -m none \
      -- dotnet "$bin/Engine.Fuzz.dll" run "$t" >"$out/afl-$t.log" 2>&1; then
    echo "afl-fuzz failed to run target $t; its log:" >&2
    tail -n 30 "$out/afl-$t.log" >&2
    failed=1
    continue
  fi
  stats=$findings/default/fuzzer_stats
  stat() { awk -v k="$1" '$1 == k { print $3 }' "$stats"; }
  summary+=("$(printf '%-15s execs %-8s execs/s %-7s corpus %-5s edges %-6s coverage %-7s crashes %s hangs %s' \
    "$t" "$(stat execs_done)" "$(stat execs_per_sec)" "$(stat corpus_count)" "$(stat edges_found)" "$(stat bitmap_cvg)" \
    "$(stat saved_crashes)" "$(stat saved_hangs)")")
  found=()
  for f in "$findings"/default/crashes/id:* "$findings"/default/hangs/id:*; do
    [ -e "$f" ] && found+=("$f")
  done
  if [ ${#found[@]} -gt 0 ]; then
    failed=1
    mkdir -p "$out/crashes/$t"
    for f in "${found[@]}"; do
      kind=$(basename "$(dirname "$f")")
      name="${kind%s}-$(basename "$f" | cut -d, -f1 | tr -d :)"
      cp "$f" "$out/crashes/$t/$name"
      echo "$t $kind: $root/$out/crashes/$t/$name"
      echo "  hex: $(od -An -v -tx1 "$f" | tr -d ' \n')"
    done
    # Replay them in-process for the exception and stack (a hang shows as a pass or never returns).
    timeout 60 dotnet "$out/replay/Engine.Fuzz.dll" replay "$t" "$out/crashes/$t" || true
  fi
done
log "fuzzing summary (afl++ status per target)"
printf '%s\n' "${summary[@]}"
if [ "$failed" -ne 0 ]; then
  echo "fuzzing found crashes or hangs (saved under $out/crashes/); see docs/FUZZING.md" >&2
  exit 1
fi
log "no crashes, no hangs"
