#!/usr/bin/env bash
# The main job: build the desktop device, capture a real camera photo into a
# fresh store under an order, and verify the store.
set -euo pipefail
cd "$(dirname "$0")/.."
cargo build --release --locked -p siteproof
bin=target/release/siteproof
home=${SITEPROOF_HOME:-$(mktemp -d)}
photo=../shared/fixtures/exif-samples/jpg/gps/DSCN0010.jpg
"$bin" --home "$home" init
"$bin" --home "$home" orders add --number DEMO-0001 --kind 投诉 --category 卫生 --address "示例社区1号楼" 2>/dev/null || true
"$bin" --home "$home" inspect --json "$photo"
"$bin" --home "$home" capture photo "$photo" --order DEMO-0001 --lat 43.4674 --lon 11.8851 --accuracy 10
"$bin" --home "$home" queue
"$bin" --home "$home" verify
echo "store: $home"
