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
# shellcheck source=scripts/lib/test-server.sh
. scripts/lib/test-server.sh
make_work_dir

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
# Generated from the debug library: the release profile strips the metadata uniffi reads.
cargo run -q --bin uniffi-bindgen -- generate --no-format \
    --library target/debug/libkinship_ffi.so --language kotlin --out-dir "$WORK/generated"

mapfile -t SOURCES < <(find "$WORK/generated" android/src/test/kotlin -name '*.kt')
CP="/usr/share/java/jna.jar:/usr/share/java/junit4.jar:/usr/share/java/hamcrest-core.jar:$KOTLIN_HOME/lib/kotlinx-coroutines-core-jvm.jar"
"$KOTLIN_HOME/bin/kotlinc" -Werror -cp "$CP" -d "$WORK/classes" "${SOURCES[@]}" 2>&1 \
    | grep -v '^warning: unable to find kotlin-stdlib' || true
[ -d "$WORK/classes/app/kinship/core" ] || { echo "Kotlin compilation failed" >&2; exit 1; }

# Every *Test.kt file holds one test class of the same name. BenchTest measures rather than
# tests: it runs only when asked for (scripts/test does, in its benchmark step).
if [ -n "${KINSHIP_JVM_TESTS:-}" ]; then
    read -r -a TEST_CLASSES <<<"$KINSHIP_JVM_TESTS"
else
    mapfile -t TEST_CLASSES < <(find android/src/test/kotlin -name '*Test.kt' ! -name 'BenchTest.kt' -printf 'app.kinship.core.%f\n' | sed 's/\.kt$//' | sort)
fi

# A real server with one public group and one event.
start_test_server "$WORK"

java -ea -Djna.library.path="$LIB_DIR" \
    -cp "$WORK/classes:$CP:$KOTLIN_HOME/lib/kotlin-stdlib.jar" org.junit.runner.JUnitCore "${TEST_CLASSES[@]}"
