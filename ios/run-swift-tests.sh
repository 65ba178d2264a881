#!/usr/bin/env bash
# Runs the XCTest tests on macOS against the real library, with a real kinship-server on
# loopback for the sync tests (the same seeded group the Kotlin tests use). Needs Xcode,
# rustup and python3. On Linux, ios/check-swift.sh is what runs (a parse check only).
set -euo pipefail
if [ "$(uname -s)" != Darwin ]; then
    echo "run-swift-tests.sh runs on macOS only; on Linux, ios/check-swift.sh checks the Swift parses" >&2
    exit 1
fi
cd "$(dirname "$0")/.."
# shellcheck source=scripts/lib/test-server.sh
. scripts/lib/test-server.sh
make_work_dir

./ios/build-xcframework.sh
cargo build -q -p kinship-server
start_test_server "$WORK"
(cd ios && swift test)
