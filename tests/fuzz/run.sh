#!/usr/bin/env bash
# The libFuzzer targets (ASan + UBSan), built by clang in a tree of their own and run over the
# corpus in tests/fuzz/corpus/<target>/.
#
#   tests/fuzz/run.sh                  build, then run every target FUZZ_SECONDS each
#   tests/fuzz/run.sh config state     build, then run these targets
#   tests/fuzz/run.sh --build-only     only build (ctest's fuzz.build)
#   tests/fuzz/run.sh --no-build T...  only run (ctest's fuzz.T, after fuzz.build)
#
# Environment: FUZZ_SECONDS (per target, default 30), FUZZ_BUILD (the build tree, default
# build/fuzz), FUZZ_JOBS (build jobs, default the number of CPUs), FUZZ_ARGS (more libFuzzer
# flags). New inputs the fuzzer finds go to $FUZZ_BUILD/found/<target>/, never into the
# repository's corpus; a crashing input is saved as $FUZZ_BUILD/artifacts/<target>/crash-*.
# Exits non-zero on any crash, leak, sanitizer report or timeout.
set -euo pipefail
repo=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
fuzz_dir=$repo/tests/fuzz
build=${FUZZ_BUILD:-$repo/build/fuzz}
seconds=${FUZZ_SECONDS:-30}
all_targets=(config process resources state)

do_build=true do_run=true targets=()
for arg in "$@"; do
  case $arg in
    --build-only) do_run=false ;;
    --no-build) do_build=false ;;
    -*) echo "tests/fuzz/run.sh: unknown option $arg" >&2; exit 2 ;;
    *) targets+=("$arg") ;;
  esac
done
[ "${#targets[@]}" -gt 0 ] || targets=("${all_targets[@]}")

if $do_build; then
  cxx=${FUZZ_CXX:-clang++-14}
  if ! command -v "$cxx" >/dev/null; then
    echo "tests/fuzz/run.sh: $cxx not found (tests/install-deps.sh installs clang-14 and" \
         "libclang-rt-14-dev)" >&2
    exit 1
  fi
  launcher=()
  command -v ccache >/dev/null && launcher=(-DCMAKE_CXX_COMPILER_LAUNCHER=ccache)
  cmake -S "$repo" -B "$build" -DSANDBOX_BUILD_FUZZERS=ON -DSANDBOX_BUILD_TESTS=OFF \
    -DCMAKE_BUILD_TYPE= -DCMAKE_CXX_COMPILER="$cxx" "${launcher[@]}" >/dev/null
  cmake --build "$build" -j"${FUZZ_JOBS:-$(nproc)}" \
    --target "${all_targets[@]/#/fuzz_}"
fi
$do_run || exit 0

status=0 summary=()
for t in "${targets[@]}"; do
  bin=$build/tests/fuzz/fuzz_$t
  if [ ! -x "$bin" ]; then
    echo "tests/fuzz/run.sh: $bin is not built (run tests/fuzz/run.sh --build-only)" >&2
    exit 1
  fi
  found=$build/found/$t artifacts=$build/artifacts/$t
  mkdir -p "$found" "$artifacts"
  log=$build/fuzz_$t.log
  echo "== fuzz $t: ${seconds}s over tests/fuzz/corpus/$t"
  rc=0
  # The first corpus directory takes the new inputs; the repository's is only read.
  # shellcheck disable=SC2086
  "$bin" -max_total_time="$seconds" -print_final_stats=1 -timeout=10 -max_len=8192 \
    -dict="$fuzz_dir/json.dict" -artifact_prefix="$artifacts/" ${FUZZ_ARGS:-} \
    "$found" "$fuzz_dir/corpus/$t" >"$log" 2>&1 || rc=$?
  execs=$(awk '/^stat::number_of_executed_units:/ { print $2 }' "$log")
  rate=$(awk '/^stat::average_exec_per_sec:/ { print $2 }' "$log")
  if [ "$rc" != 0 ]; then
    status=1
    # The sanitizer's report and the input that caused it.
    grep -E -A40 '^==[0-9]+==|^SUMMARY|Test unit written|uncaught exception|terminate' "$log" |
      head -80 >&2 || tail -40 "$log" >&2
    summary+=("fuzz $t: FAILED (exit $rc), ${execs:-?} executions, ${rate:-?} execs/s; log $log")
  else
    summary+=("fuzz $t: ok, ${execs:-?} executions in ${seconds}s, ${rate:-?} execs/s")
  fi
done
printf '%s\n' "${summary[@]}"
exit "$status"
