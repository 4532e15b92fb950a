#!/usr/bin/env bash
# Test machine set-up, run as root (tests/run.sh calls it). Idempotent and fast on reruns:
# installs the build and test packages (apt only when something is missing), makes
# newuidmap/newgidmap setuid, and creates the unprivileged test user `sbtest` with a
# subordinate id range, which the rootless integration suites run as.
set -euo pipefail
here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
if [ "$(id -u)" != 0 ]; then
  echo "tests/setup.sh: run me as root (sudo tests/setup.sh)" >&2
  exit 1
fi
# shellcheck source=install-deps.sh
. "$here/install-deps.sh"
install_packages
prepare_devices
ensure_user "${SANDBOX_TEST_USER:-sbtest}"
