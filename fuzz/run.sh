#!/usr/bin/env bash
# Runs one fuzz target under afl-fuzz for a number of seconds, then prints what it found.
#
#   fuzz/run.sh <target> <seconds>      targets: txt-record policy domain store-entry certificate dns-answer
#   fuzz/run.sh --list
#
# Needs Debian's afl++ (apt-get install afl++) and the SharpFuzz.CommandLine tool (installed here into the git-ignored
# .tools/sharpfuzz on first use). Findings go to fuzz/findings/<target>/ (git-ignored); the exit code is 1 when the run
# saved a crash or a hang, so a smoke run in CI fails on a regression.
set -euo pipefail
cd "$(dirname "$0")/.."

targets=(txt-record policy domain store-entry certificate dns-answer)
if [ "${1:-}" = "--list" ]; then printf '%s\n' "${targets[@]}"; exit 0; fi
target=${1:?usage: fuzz/run.sh <target> <seconds>}
seconds=${2:?usage: fuzz/run.sh <target> <seconds>}
[[ " ${targets[*]} " == *" $target "* ]] || { echo "fuzz/run.sh: unknown target $target (one of: ${targets[*]})" >&2; exit 2; }
command -v afl-fuzz >/dev/null || { echo "fuzz/run.sh: afl-fuzz not found (apt-get install afl++)" >&2; exit 2; }

tool=.tools/sharpfuzz
if [ ! -x "$tool/sharpfuzz" ]; then
  dotnet tool install SharpFuzz.CommandLine --version 2.3.0 --tool-path "$tool" >/dev/null
fi

# One instrumented build, shared by every target but one (rebuilt when a source is newer than the stamp). Only the
# library is instrumented: its branches are what afl steers by. The certificate target's DER walking happens in
# System.Formats.Asn1, whose runtime copy is ReadyToRun (SharpFuzz cannot instrument it), so that target gets a
# self-contained build of its own with the NuGet package's IL-only copy, instrumented as well.
out=fuzz/out
publish=()
instrument=(MtaSts.dll)
run=(dotnet "$out/MtaSts.Fuzz.dll")
if [ "$target" = certificate ]; then
  out=fuzz/out-certificate
  publish=(-r linux-x64 --self-contained -p:InstrumentAsn1=true)
  instrument+=(System.Formats.Asn1.dll)
  run=("$out/MtaSts.Fuzz")
fi
stamp=$out/.instrumented
if [ ! -f "$stamp" ] || [ -n "$(find src/MtaSts fuzz/MtaSts.Fuzz -name '*.cs' -newer "$stamp" -print -quit)" ]; then
  rm -rf "$out"
  dotnet publish fuzz/MtaSts.Fuzz/MtaSts.Fuzz.csproj -c Release "${publish[@]}" -o "$out" --nologo -v quiet >/dev/null
  for assembly in "${instrument[@]}"; do
    "$tool/sharpfuzz" "$out/$assembly" >/dev/null
  done
  touch "$stamp"
fi

findings=fuzz/findings/$target
rm -rf "$findings"
mkdir -p "$findings"
export AFL_SKIP_BIN_CHECK=1 AFL_NO_UI=1 AFL_SKIP_CPUFREQ=1 AFL_I_DONT_CARE_ABOUT_MISSING_CRASHES=1 AFL_NO_AFFINITY=1
export DOTNET_TieredPGO=0 DOTNET_TieredCompilation=0
set +e
afl-fuzz -V "$seconds" -t 5000 -m none -i "fuzz/corpus/$target" -o "$findings" -- "${run[@]}" "$target" > "$findings/afl.log" 2>&1
status=$?
set -e
stats=$findings/default/fuzzer_stats
if [ ! -f "$stats" ]; then
  echo "fuzz/run.sh: afl-fuzz did not start (exit $status); its log:" >&2
  tail -30 "$findings/afl.log" >&2
  exit 2
fi

value() { awk -F' *: *' -v k="$1" '$1 == k { print $2 }' "$stats"; }
crashes=$(value saved_crashes); hangs=$(value saved_hangs)
last=$(( $(value last_find) > 0 ? $(value last_find) - $(value start_time) : 0 ))
printf '%-12s %6ss  execs %10s  (%s/s)  corpus %5s  edges %5s  last new path at %ss  crashes %s  hangs %s\n' \
  "$target" "$(value run_time)" "$(value execs_done)" "$(value execs_per_sec)" "$(value corpus_count)" \
  "$(value edges_found)" "$last" "$crashes" "$hangs"
if [ "${crashes:-0}" != 0 ] || [ "${hangs:-0}" != 0 ]; then
  echo "fuzz/run.sh: findings in $findings/default/crashes and hangs; replay one with:" >&2
  echo "  dotnet fuzz/MtaSts.Fuzz/bin/Debug/net10.0/MtaSts.Fuzz.dll $target --replay <file>   (after: dotnet build fuzz/MtaSts.Fuzz)" >&2
  exit 1
fi
