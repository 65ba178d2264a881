#!/usr/bin/env bash
# Cross-compiles the Kinship core (kinship-ffi, release profile) for Android with cargo-ndk:
#   android/src/main/jniLibs/<abi>/libkinship_ffi.so   for arm64-v8a, armeabi-v7a, x86_64, x86
# then generates the Kotlin bindings from the host build of the same crate:
#   android/build/generated/source/uniffi/main/app/kinship/core/*.kt
# Both are build output (gitignored); build.gradle.kts compiles the bindings and packages the
# libraries. Needs the Android NDK: ANDROID_NDK_HOME or ANDROID_NDK_ROOT, else the newest NDK
# under $ANDROID_HOME/ndk or $ANDROID_SDK_ROOT/ndk (where Android Studio installs it).
# Installs cargo-ndk and the four Rust targets when missing.
#
#   android/build-android-libs.sh [--libs-only]   (--libs-only: the .so files, not the bindings)
set -euo pipefail
cd "$(dirname "$0")/.."

# The module's minSdk (build.gradle.kts): the API level the libraries are linked against.
MIN_SDK=26
# cargo-ndk 4 also links 64-bit libraries for 16 KB pages (Android 15+) with NDKs before r28.
CARGO_NDK_VERSION=4.1.2
ABIS=(arm64-v8a armeabi-v7a x86_64 x86)
RUST_TARGETS=(aarch64-linux-android armv7-linux-androideabi x86_64-linux-android i686-linux-android)
JNI_LIBS=android/src/main/jniLibs
BINDINGS=android/build/generated/source/uniffi/main

die() {
    echo "build-android-libs.sh: $*" >&2
    exit 1
}

GENERATE_BINDINGS=1
case "${1:-}" in
    "") ;;
    --libs-only) GENERATE_BINDINGS=0 ;;
    *) die "usage: build-android-libs.sh [--libs-only]" ;;
esac

# The NDK first: without it nothing below can work, so say so before installing anything.
NDK=
for candidate in "${ANDROID_NDK_HOME:-}" "${ANDROID_NDK_ROOT:-}"; do
    if [ -n "$candidate" ]; then
        [ -f "$candidate/source.properties" ] \
            || die "$candidate (ANDROID_NDK_HOME / ANDROID_NDK_ROOT) is not an Android NDK: it has no source.properties"
        NDK=$candidate
        break
    fi
done
if [ -z "$NDK" ]; then
    for sdk in "${ANDROID_HOME:-}" "${ANDROID_SDK_ROOT:-}"; do
        if [ -z "$sdk" ] || [ ! -d "$sdk/ndk" ]; then continue; fi
        # Side-by-side NDKs are named by version (27.2.12479018): take the newest.
        newest=$(find "$sdk/ndk" -mindepth 1 -maxdepth 1 -type d -exec basename {} \; \
            | sort -t. -k1,1n -k2,2n -k3,3n | tail -n 1)
        if [ -n "$newest" ] && [ -f "$sdk/ndk/$newest/source.properties" ]; then
            NDK=$sdk/ndk/$newest
            break
        fi
    done
fi
[ -n "$NDK" ] || die "no Android NDK found. Install one (Android Studio: SDK Manager > SDK Tools >
NDK (Side by side), or sdkmanager 'ndk;<version>') and point ANDROID_NDK_HOME at it, e.g.
    export ANDROID_NDK_HOME=\$HOME/Android/Sdk/ndk/<version>"
export ANDROID_NDK_HOME=$NDK
echo "==> Android NDK: $ANDROID_NDK_HOME"

command -v cargo >/dev/null 2>&1 || die "cargo (the Rust toolchain) is required"
command -v rustup >/dev/null 2>&1 || die "rustup is required (to add the Android targets)"
if ! cargo ndk --version >/dev/null 2>&1; then
    echo "==> cargo install cargo-ndk $CARGO_NDK_VERSION"
    cargo install cargo-ndk --version "$CARGO_NDK_VERSION" --locked
fi
rustup target add "${RUST_TARGETS[@]}"

echo "==> cargo ndk build --release -p kinship-ffi (${ABIS[*]}, API $MIN_SDK)"
target_args=()
for abi in "${ABIS[@]}"; do
    target_args+=(-t "$abi")
done
cargo ndk "${target_args[@]}" --platform "$MIN_SDK" -o "$JNI_LIBS" \
    build --release -p kinship-ffi --lib

for abi in "${ABIS[@]}"; do
    [ -f "$JNI_LIBS/$abi/libkinship_ffi.so" ] || die "cargo ndk did not produce $JNI_LIBS/$abi/libkinship_ffi.so"
done

if [ "$GENERATE_BINDINGS" = 1 ]; then
    # The bindings, from the host's debug build: library mode reads the interface from the
    # library's symbol table, which the release profile strips (strip = true: uniffi-bindgen then
    # finds "No UniFFI metadata"). The interface is the same for every target;
    # bindings/uniffi-android.toml adds Android's cleaner to the JVM tests' settings.
    echo "==> uniffi-bindgen generate --language kotlin -> $BINDINGS"
    case "$(uname -s)" in
        Darwin) HOST_LIB=libkinship_ffi.dylib ;;
        *) HOST_LIB=libkinship_ffi.so ;;
    esac
    TARGET_DIR=${CARGO_TARGET_DIR:-$PWD/target}
    cargo build -q -p kinship-ffi --lib
    rm -rf "$BINDINGS"
    cargo run -q --bin uniffi-bindgen -- generate --no-format \
        --config bindings/uniffi-android.toml \
        --library "$TARGET_DIR/debug/$HOST_LIB" --language kotlin --out-dir "$BINDINGS"
fi

echo "built:"
for abi in "${ABIS[@]}"; do
    ls -l "$JNI_LIBS/$abi/libkinship_ffi.so"
done
if [ "$GENERATE_BINDINGS" = 1 ]; then find "$BINDINGS" -name '*.kt' -print; fi
