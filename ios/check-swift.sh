#!/usr/bin/env bash
# Checks, on Linux (no Swift compiler needed), that the Swift bindings uniffi-bindgen generates
# from the current kinship-ffi, every handwritten Swift file of the package in ios/
# (Package.swift, Sources/KinshipKit, Tests) and the Swift example in README.md's "Phones"
# section parse cleanly with the tree-sitter Swift grammar (ios/check_swift_parse.py). This
# catches broken generation and syntax errors early; nothing is type-checked: the real compile
# is `swift build` / `swift test` on macOS after ios/build-xcframework.sh.
# Installs the pinned PyPI packages tree-sitter and tree-sitter-swift when missing.
set -euo pipefail
cd "$(dirname "$0")/.."

# Pinned: a newer grammar can parse differently (see the workarounds in check_swift_parse.py).
TREE_SITTER_VERSION=0.26.1
TREE_SITTER_SWIFT_VERSION=0.7.4

pip_install() {
    python3 -m pip install --quiet "$@" 2>/dev/null \
        || python3 -m pip install --quiet --break-system-packages "$@"
}

installed_versions() {
    python3 - <<'EOF' 2>/dev/null
import tree_sitter, tree_sitter_swift  # noqa: F401  (both must import)
from importlib.metadata import version
print(version("tree-sitter"), version("tree-sitter-swift"))
EOF
}

if [ "$(installed_versions || true)" != "$TREE_SITTER_VERSION $TREE_SITTER_SWIFT_VERSION" ]; then
    pip_install "tree-sitter==$TREE_SITTER_VERSION" "tree-sitter-swift==$TREE_SITTER_SWIFT_VERSION"
fi

WORK=$(mktemp -d)
trap 'rm -rf "$WORK"' EXIT

case "$(uname -s)" in
    Darwin) LIB_NAME=libkinship_ffi.dylib ;;
    *) LIB_NAME=libkinship_ffi.so ;;
esac
TARGET_DIR=${CARGO_TARGET_DIR:-$PWD/target}

cargo build -q -p kinship-ffi
cargo run -q --bin uniffi-bindgen -- generate --no-format \
    --library "$TARGET_DIR/debug/$LIB_NAME" --language swift --out-dir "$WORK/generated"

# The README's Swift example(s): every ```swift block of its "Phones" section, each into its own
# file that starts with blank lines up to the block, so a reported line is the README's line.
# None found fails the check: the example must not disappear unnoticed.
python3 - README.md "$WORK/readme" <<'EOF_PY'
import pathlib, sys
readme, out = pathlib.Path(sys.argv[1]), pathlib.Path(sys.argv[2])
out.mkdir()
lines = readme.read_text(encoding="utf-8").splitlines()
in_section, block, found = False, None, 0
for number, line in enumerate(lines, start=1):
    if line.startswith("## "):
        in_section = line.startswith("## Phones")
    elif in_section and block is None and line.strip() == "```swift":
        block = [""] * number
    elif block is not None and line.strip() == "```":
        found += 1
        (out / f"README-phones-{found}.swift").write_text("\n".join(block) + "\n", encoding="utf-8")
        block = None
    elif block is not None:
        block.append(line)
if block is not None or found == 0:
    sys.exit("check-swift.sh: README.md's Phones section has no complete ```swift block")
print(f"README.md: {found} Swift example(s) from the Phones section")
EOF_PY

# Handwritten Swift: everything under ios/ except build output and the generated bindings that
# build-xcframework.sh copies into Sources/KinshipCore (gitignored; checked fresh from $WORK),
# then the README's examples.
handwritten=()
while IFS= read -r -d '' file; do
    handwritten+=("$file")
done < <(find ios \( -path ios/build -o -path ios/.build -o -path ios/.swiftpm \
    -o -path ios/Sources/KinshipCore \) -prune -o -type f -name '*.swift' -print0 | sort -z)
for file in "$WORK"/readme/*.swift; do
    handwritten+=("$file")
done

python3 ios/check_swift_parse.py --generated "$WORK/generated" ${handwritten[@]+"${handwritten[@]}"}
