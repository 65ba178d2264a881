#!/usr/bin/env bash
# Builds the host library, generates the Kotlin bindings from it, compiles them with the
# Android layer (android/src/main/kotlin, package app.kinship.android; src/androidMain only
# type-checked, against android/jvm-stubs), the README's Kotlin example and the tests
# (-Werror), starts a real kinship-server on loopback, and runs the tests on a desktop JVM
# through JNA. Installs the Kotlin compiler (npm `kotlin-compiler`), JNA and
# JUnit (Debian packages) if missing.
#   KINSHIP_FFI_PROFILE=release  test the release library (the benchmarks use it)
#   KINSHIP_JVM_TESTS="app.kinship.core.BenchTest"  run only these test classes
#   CARGO_TARGET_DIR             honoured, as cargo does (default: target)
set -euo pipefail
cd "$(dirname "$0")/.."
KOTLIN_VERSION=2.4.20
TARGET_DIR=${CARGO_TARGET_DIR:-$PWD/target}
TOOLS=${KINSHIP_TOOLS_DIR:-$TARGET_DIR/tools}
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
LIB_DIR="$TARGET_DIR/$PROFILE"
# Generated from the debug library: the release profile strips the metadata uniffi reads.
cargo run -q --bin uniffi-bindgen -- generate --no-format \
    --library "$TARGET_DIR/debug/libkinship_ffi.so" --language kotlin --out-dir "$WORK/generated"

# The README's Kotlin example (the fenced ```kotlin blocks of its "Phones" section) is
# compiled with the tests, and ReadmeExampleTest runs it: the example cannot drift from the API.
mkdir -p "$WORK/readme"
awk '/^## /{phones = ($0 ~ /^## Phones/)} phones && /^```kotlin$/{code = 1; next}
     code && /^```$/{code = 0; next} code' README.md >"$WORK/readme/ReadmeExample.kt"
[ -s "$WORK/readme/ReadmeExample.kt" ] || { echo "no \`\`\`kotlin block in the README's Phones section" >&2; exit 1; }

# android/src/androidMain needs android.* and androidx, which only the Gradle build has: here it
# is type-checked against android/jvm-stubs (the few signatures it uses), and never run.
mapfile -t SOURCES < <(find "$WORK/generated" "$WORK/readme" android/src/main/kotlin android/src/androidMain/kotlin \
    android/jvm-stubs android/src/test/kotlin -name '*.kt')
CP="/usr/share/java/jna.jar:/usr/share/java/junit4.jar:/usr/share/java/hamcrest-core.jar:$KOTLIN_HOME/lib/kotlinx-coroutines-core-jvm.jar"
"$KOTLIN_HOME/bin/kotlinc" -Werror -cp "$CP" -d "$WORK/classes" "${SOURCES[@]}" 2>&1 \
    | grep -v '^warning: unable to find kotlin-stdlib' || true
for package in core android; do
    [ -d "$WORK/classes/app/kinship/$package" ] || { echo "Kotlin compilation failed" >&2; exit 1; }
done

# Every *Test.kt file holds one test class of the same name, in the package its folder names.
# BenchTest measures rather than tests: it runs only when asked for (scripts/test does, in its
# benchmark step).
if [ -n "${KINSHIP_JVM_TESTS:-}" ]; then
    read -r -a TEST_CLASSES <<<"$KINSHIP_JVM_TESTS"
else
    mapfile -t TEST_CLASSES < <(cd android/src/test/kotlin && find . -name '*Test.kt' ! -name 'BenchTest.kt' \
        | sed 's|^\./||; s|\.kt$||; s|/|.|g' | sort)
fi

# A real server with one public group and one event.
start_test_server "$WORK"

java -ea -Djna.library.path="$LIB_DIR" \
    -cp "$WORK/classes:$CP:$KOTLIN_HOME/lib/kotlin-stdlib.jar" org.junit.runner.JUnitCore "${TEST_CLASSES[@]}"
