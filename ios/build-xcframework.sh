#!/usr/bin/env bash
# Builds the Swift package's native part on macOS (needs Xcode and rustup):
#   ios/build/KinshipFFI.xcframework  libkinship_ffi.a (release) for iOS devices (arm64), the
#                                     iOS simulator (arm64 + x86_64) and macOS (arm64 + x86_64),
#                                     each with the KinshipCoreFFI header and module map;
#   ios/Sources/KinshipCore/*.swift   the Swift bindings uniffi-bindgen generates for them.
# Both are build output (gitignored). Then: cd ios && swift build && swift test.
# On Linux, ios/check-swift.sh checks that the generated Swift parses.
set -euo pipefail

if [ "$(uname -s)" != Darwin ]; then
    echo "build-xcframework.sh runs on macOS only (it needs Xcode's xcodebuild and lipo);" \
        "on Linux, ios/check-swift.sh checks the generated Swift instead" >&2
    exit 1
fi
cd "$(dirname "$0")/.."

for tool in cargo rustup xcodebuild lipo; do
    command -v "$tool" >/dev/null 2>&1 || { echo "build-xcframework.sh: $tool not found" >&2; exit 1; }
done

# The minimum OS versions of Package.swift, for rustc and for the C code (SQLite, ring) that
# build scripts compile; otherwise the linker warns about objects built for newer versions.
export IPHONEOS_DEPLOYMENT_TARGET=15.0
export MACOSX_DEPLOYMENT_TARGET=12.0

TARGETS=(aarch64-apple-ios aarch64-apple-ios-sim x86_64-apple-ios aarch64-apple-darwin x86_64-apple-darwin)
TARGET_DIR=${CARGO_TARGET_DIR:-$PWD/target}
BUILD=ios/build
XCFRAMEWORK=$BUILD/KinshipFFI.xcframework
LIB=libkinship_ffi.a

rustup target add "${TARGETS[@]}"
for target in "${TARGETS[@]}"; do
    echo "==> cargo build --release -p kinship-ffi --lib --target $target"
    cargo build --release -p kinship-ffi --lib --target "$target"
done

# One library per XCFramework slice: simulators and Macs of both architectures are fat.
rm -rf "${BUILD:?}/lib"
mkdir -p "$BUILD/lib/ios" "$BUILD/lib/ios-simulator" "$BUILD/lib/macos"
cp "$TARGET_DIR/aarch64-apple-ios/release/$LIB" "$BUILD/lib/ios/$LIB"
lipo -create "$TARGET_DIR/aarch64-apple-ios-sim/release/$LIB" "$TARGET_DIR/x86_64-apple-ios/release/$LIB" \
    -output "$BUILD/lib/ios-simulator/$LIB"
lipo -create "$TARGET_DIR/aarch64-apple-darwin/release/$LIB" "$TARGET_DIR/x86_64-apple-darwin/release/$LIB" \
    -output "$BUILD/lib/macos/$LIB"

# The bindings, from the host's debug dylib: library mode reads the interface from the
# library's symbol table, which the release profile strips (strip = true: uniffi-bindgen then
# finds "No UniFFI metadata"). The interface is the same for every target.
echo "==> uniffi-bindgen generate --language swift"
cargo build -q -p kinship-ffi --lib
rm -rf "${BUILD:?}/swift"
cargo run -q --bin uniffi-bindgen -- generate --no-format \
    --library "$TARGET_DIR/debug/libkinship_ffi.dylib" --language swift --out-dir "$BUILD/swift"

# uniffi names the C module after the Swift module (KinshipCore -> KinshipCoreFFI): the
# generated Swift does `import KinshipCoreFFI`, so take the name from the generated files.
modulemaps=("$BUILD/swift"/*.modulemap)
if [ "${#modulemaps[@]}" -ne 1 ] || [ ! -f "${modulemaps[0]}" ]; then
    echo "build-xcframework.sh: expected exactly one .modulemap in $BUILD/swift" >&2
    exit 1
fi
FFI_MODULE=$(basename "${modulemaps[0]}" .modulemap)
# Headers/<module>/module.modulemap rather than Headers/module.modulemap: clang finds
# <include dir>/<module name>/module.modulemap by itself, and Xcode copies the Headers of every
# library XCFramework into one include folder, where two top-level module.modulemap files from
# two XCFrameworks would collide.
HEADERS=$BUILD/headers
rm -rf "$HEADERS"
mkdir -p "$HEADERS/$FFI_MODULE"
cp "$BUILD/swift/$FFI_MODULE.h" "$HEADERS/$FFI_MODULE/"
cp "${modulemaps[0]}" "$HEADERS/$FFI_MODULE/module.modulemap"

echo "==> xcodebuild -create-xcframework -> $XCFRAMEWORK"
rm -rf "$XCFRAMEWORK"
xcodebuild -create-xcframework \
    -library "$BUILD/lib/ios/$LIB" -headers "$HEADERS" \
    -library "$BUILD/lib/ios-simulator/$LIB" -headers "$HEADERS" \
    -library "$BUILD/lib/macos/$LIB" -headers "$HEADERS" \
    -output "$XCFRAMEWORK"

# The Swift target KinshipCore is exactly the generated file(s).
mkdir -p ios/Sources/KinshipCore
rm -f ios/Sources/KinshipCore/*.swift
cp "$BUILD/swift"/*.swift ios/Sources/KinshipCore/

echo "built $XCFRAMEWORK (FFI module $FFI_MODULE) and ios/Sources/KinshipCore:" \
    "$(cd ios/Sources/KinshipCore && echo ./*.swift)"
