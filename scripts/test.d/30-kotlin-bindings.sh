#!/usr/bin/env bash
# The Kotlin binding tests (bindings/tests/kotlin.rs, run by cargo test)
# compile with kotlinc and run on the JVM with Debian's JNA and JUnit 4.
# Install them before the workspace tests; the test itself fails under CI
# if anything is still missing.
set -euo pipefail
cd "$(dirname "$0")/../.."
bash bindings/tests/setup-jvm.sh
