#!/usr/bin/env bash
# Builds the statically linked release binary the Docker image ships, and copies it to $1.
# Used by docker/Dockerfile and by .ci/run (which smoke-tests the result).
set -euo pipefail
out="${1:?usage: build-static.sh OUTPUT}"
cd "$(dirname "$0")/.."
target="$(rustc -vV | sed -n 's/^host: //p')"
# glibc's static libraries are part of libc6-dev; crt-static links them in.
RUSTFLAGS="-C target-feature=+crt-static -C strip=symbols" \
  CARGO_TARGET_DIR="${STATIC_TARGET_DIR:-target/static}" \
  cargo build --release --locked --bin cognito-emulator --target "$target"
mkdir -p "$(dirname "$out")"
cp "${STATIC_TARGET_DIR:-target/static}/$target/release/cognito-emulator" "$out"
if ldd "$out" 2>&1 | grep -q "=>"; then
  echo "build-static.sh: $out is dynamically linked" >&2
  exit 1
fi
echo "built $out ($(du -h "$out" | cut -f1))"
