#!/usr/bin/env bash
# Builds the Rust core for iOS devices and simulators, generates the Swift
# bindings from the built library (so they always match it), and packs both
# into SiteproofKit: SiteproofFFIC.xcframework (static library + C header +
# module map) and Sources/SiteproofFFI/SiteproofFFI.swift. Run on a Mac.
set -euo pipefail

if [[ "$(uname -s)" != "Darwin" ]]; then
    echo "build-xcframework.sh needs macOS with Xcode (xcodebuild, lipo); this is $(uname -s)." >&2
    echo "On Linux, the Swift bindings are checked by: cargo test -p siteproof-ffi --test swift" >&2
    exit 1
fi
for tool in cargo rustup xcodebuild lipo; do
    command -v "$tool" >/dev/null || { echo "missing $tool (install Xcode 16 and rustup)" >&2; exit 1; }
done

here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
root="$(cd "$here/.." && pwd)"
kit="$here/SiteproofKit"
work="$root/target/ios-xcframework"
targets=(aarch64-apple-ios aarch64-apple-ios-sim x86_64-apple-ios)

installed="$(rustup target list --installed)"
for t in "${targets[@]}"; do
    if ! grep -qx "$t" <<<"$installed"; then
        echo "Rust target $t is missing. Install all three with:" >&2
        echo "    rustup target add ${targets[*]}" >&2
        exit 1
    fi
done

cd "$root"
for t in "${targets[@]}"; do
    echo "==> cargo build --release -p siteproof-ffi --target $t"
    cargo build --release -p siteproof-ffi --target "$t"
done
# The Mac's own slice, so `swift test` in SiteproofKit links on the Mac itself.
echo "==> cargo build --release -p siteproof-ffi (macOS host)"
cargo build --release -p siteproof-ffi

rm -rf "$work"
mkdir -p "$work/sim" "$work/gen" "$work/headers"

# One simulator slice per architecture is not allowed in an xcframework: merge them.
echo "==> lipo simulator slices"
lipo -create \
    "target/aarch64-apple-ios-sim/release/libsiteproof_ffi.a" \
    "target/x86_64-apple-ios/release/libsiteproof_ffi.a" \
    -output "$work/sim/libsiteproof_ffi.a"

# From the host dylib of the same sources: library mode reads the metadata it carries.
echo "==> generate Swift bindings"
cargo run -p siteproof-uniffi-bindgen -- generate --language swift \
    --out-dir "$work/gen" "target/release/libsiteproof_ffi.dylib"

# xcodebuild expects the module map under the name Clang looks for.
cp "$work/gen/SiteproofFFIC.h" "$work/headers/"
cp "$work/gen/SiteproofFFIC.modulemap" "$work/headers/module.modulemap"

echo "==> xcodebuild -create-xcframework"
rm -rf "$kit/SiteproofFFIC.xcframework"
xcodebuild -create-xcframework \
    -library "target/aarch64-apple-ios/release/libsiteproof_ffi.a" -headers "$work/headers" \
    -library "$work/sim/libsiteproof_ffi.a" -headers "$work/headers" \
    -library "target/release/libsiteproof_ffi.a" -headers "$work/headers" \
    -output "$kit/SiteproofFFIC.xcframework"

mkdir -p "$kit/Sources/SiteproofFFI"
cp "$work/gen/SiteproofFFI.swift" "$kit/Sources/SiteproofFFI/SiteproofFFI.swift"

echo "Done: $kit/SiteproofFFIC.xcframework and Sources/SiteproofFFI/SiteproofFFI.swift"
echo "Next: cd $here && xcodegen && open Siteproof.xcodeproj"
