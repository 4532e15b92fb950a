#!/usr/bin/env bash
# THE test command: on a fresh Debian 12 machine, as root, from any clone location:
#
#   sudo tests/run.sh [ctest arguments, e.g. -R integration.rootless]
#
# Environment: SANDBOX_TEST_JOBS (parallel ctest jobs, default: the number of CPUs).
#
# It sets the machine up (tests/setup.sh: packages, the test user sbtest), builds into build/
# (Release, the same build install.sh makes),
# and runs every test with ctest: the unit tests and each integration suite twice, as root and
# as sbtest. It ends with ctest's summary and exits with ctest's status.
set -euo pipefail
repo=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
cd "$repo"

if [ "$(id -u)" != 0 ]; then
  echo "tests/run.sh: run me as root (sudo tests/run.sh): the suites run as root and as the" \
       "test user sbtest, which I create" >&2
  exit 1
fi

bash tests/setup.sh

build=$repo/build
# A build directory configured for another source tree (a moved clone) cannot be reused.
if [ -f "$build/CMakeCache.txt" ] &&
   ! grep -qxF "CMAKE_HOME_DIRECTORY:INTERNAL=$repo" "$build/CMakeCache.txt"; then
  echo "tests/run.sh: $build belongs to another source tree; starting it afresh"
  rm -rf "$build"
fi
cmake -S "$repo" -B "$build" -DCMAKE_BUILD_TYPE=Release -DSANDBOX_BUILD_TESTS=ON
cmake --build "$build" -j"$(nproc)"

# The suites are independent (each stages its own directory and state roots), so they run in
# parallel; SANDBOX_TEST_JOBS=1 runs them one at a time.
exec ctest --test-dir "$build" --output-on-failure -j"${SANDBOX_TEST_JOBS:-$(nproc)}" "$@"
