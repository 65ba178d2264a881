#!/usr/bin/env bash
# Builds the host library, generates the Kotlin bindings from it, compiles them with the
# tests (-Werror), starts a real kinship-server on loopback, and runs the tests on a desktop
# JVM through JNA. Installs the Kotlin compiler (npm `kotlin-compiler`), JNA and JUnit
# (Debian packages) if missing.
#   KINSHIP_FFI_PROFILE=release  test the release library (the benchmarks use it)
#   KINSHIP_JVM_TESTS="app.kinship.core.BenchTest"  run only these test classes
set -euo pipefail
cd "$(dirname "$0")/.."
KOTLIN_VERSION=2.4.20
TOOLS=${KINSHIP_TOOLS_DIR:-$PWD/target/tools}
WORK=$(mktemp -d)
SERVER_PID=
cleanup() {
    if [ -n "$SERVER_PID" ]; then kill "$SERVER_PID" 2>/dev/null || true; fi
    rm -rf "$WORK"
}
trap cleanup EXIT

if [ ! -x "$TOOLS/node_modules/kotlin-compiler/bin/kotlinc" ]; then
    npm install --silent --prefix "$TOOLS" "kotlin-compiler@$KOTLIN_VERSION"
fi
KOTLIN_HOME="$TOOLS/node_modules/kotlin-compiler"
if [ ! -f /usr/share/java/jna.jar ] || [ ! -f /usr/share/java/junit4.jar ]; then
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq libjna-java junit4 >/dev/null
fi

PROFILE=${KINSHIP_FFI_PROFILE:-debug}
if [ "$PROFILE" = release ]; then
    cargo build -q --release -p kinship-ffi --lib
fi
cargo build -q -p kinship-ffi -p kinship-server
LIB_DIR="$PWD/target/$PROFILE"
cargo run -q --bin uniffi-bindgen -- generate --no-format \
    --library "$LIB_DIR/libkinship_ffi.so" --language kotlin --out-dir "$WORK/generated"

CP="/usr/share/java/jna.jar:/usr/share/java/junit4.jar:/usr/share/java/hamcrest-core.jar:$KOTLIN_HOME/lib/kotlinx-coroutines-core-jvm.jar"
"$KOTLIN_HOME/bin/kotlinc" -Werror -cp "$CP" -d "$WORK/classes" \
    $(find "$WORK/generated" -name '*.kt') $(find android/src/test/kotlin -name '*.kt') 2>&1 \
    | grep -v '^warning: unable to find kotlin-stdlib' || true
[ -d "$WORK/classes/app/kinship/core" ] || { echo "Kotlin compilation failed" >&2; exit 1; }

# Every *Test.kt file holds one test class of the same name.
TEST_CLASSES=${KINSHIP_JVM_TESTS:-}
[ -n "$TEST_CLASSES" ] || TEST_CLASSES=$(find android/src/test/kotlin -name '*Test.kt' -printf 'app.kinship.core.%f\n' | sed 's/\.kt$//' | sort)

# A real server with one public group and one event.
DB="sqlite://$WORK/server.sqlite"
GROUP_JSON=$(target/debug/kinship-server --database-url "$DB" create-group --name "JVM test group" --json)
GROUP=$(python3 -c 'import json,sys; print(json.load(sys.stdin)["group_id"])' <<<"$GROUP_JSON")
TOKEN=$(python3 -c 'import json,sys; print(json.load(sys.stdin)["organizer_token"])' <<<"$GROUP_JSON")
PORT=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
target/debug/kinship-server --database-url "$DB" serve --listen "127.0.0.1:$PORT" >/dev/null &
SERVER_PID=$!
for _ in $(seq 100); do curl -sf "http://127.0.0.1:$PORT/healthz" >/dev/null && break; sleep 0.1; done
curl -sf -X POST "http://127.0.0.1:$PORT/v1/groups/$GROUP/events" -H "Authorization: Bearer $TOKEN" \
    -H 'content-type: application/json' \
    -d '{"title":"Kotlin meetup","starts_at":"2099-01-01T18:00:00","ends_at":"2099-01-01T20:00:00","time_zone":"Europe/Berlin","place":{"name":"Hall","address":"Street 1"},"category":"social"}' >/dev/null

KINSHIP_TEST_SERVER="http://127.0.0.1:$PORT" KINSHIP_TEST_GROUP="$GROUP" \
    java -ea -Djna.library.path="$LIB_DIR" \
    -cp "$WORK/classes:$CP:$KOTLIN_HOME/lib/kotlin-stdlib.jar" org.junit.runner.JUnitCore $TEST_CLASSES
