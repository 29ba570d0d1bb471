#!/usr/bin/env bash
# Coverage-guided fuzzing of every parser that takes hostile input (fuzz/):
# media sniffing and EXIF, manifests and receipts, tus headers, the order
# CSV import and the dispute packet verifier. Installs cargo-fuzz if it is
# missing, builds every target once, then runs each for a bounded time on a
# scratch copy of its checked-in seed corpus (fuzz/corpus/<target>), so the
# checked-in corpus stays small. Prints the executions per target; exits
# non-zero if any target crashes, hangs or runs out of memory (the input is
# left in fuzz/artifacts/<target>/ to turn into a regression test).
#
#   FUZZ_SECONDS=10 (per target)   FUZZ_SANITIZER=none|address
set -euo pipefail
cd "$(dirname "$0")/../fuzz"

SECONDS_PER_TARGET=${FUZZ_SECONDS:-10}
# No sanitizer by default: Rust code is memory-safe, so what the fuzzer hunts here is
# panics, overflows (debug assertions stay on), hangs and memory blow-ups, all of which
# libFuzzer sees without ASan; the build is much faster (see the issue-10 notes).
SANITIZER=${FUZZ_SANITIZER:-none}
CARGO_FUZZ_VERSION=0.13.2

log() { printf '\n== %s\n' "$*"; }

if ! rustup toolchain list | grep -q '^nightly'; then
  log "installing the nightly toolchain (cargo fuzz needs it)"
  rustup toolchain install nightly --profile minimal
fi
if ! cargo fuzz --version 2>/dev/null | grep -q "$CARGO_FUZZ_VERSION"; then
  log "installing cargo-fuzz $CARGO_FUZZ_VERSION"
  cargo install cargo-fuzz --locked --version "$CARGO_FUZZ_VERSION"
fi

log "building fuzz targets (sanitizer: $SANITIZER)"
cargo +nightly fuzz build -s "$SANITIZER" 2>&1 | tail -n 3

scratch=target/fuzz-corpus
status=0
summary=()
for target in $(cargo +nightly fuzz list); do
  mkdir -p "$scratch/$target"
  log "fuzzing $target for ${SECONDS_PER_TARGET}s"
  out=$(mktemp)
  # Scratch corpus first: libFuzzer adds new inputs to the first directory only.
  if cargo +nightly fuzz run -s "$SANITIZER" "$target" "$scratch/$target" "corpus/$target" -- \
      -max_total_time="$SECONDS_PER_TARGET" -timeout=10 -rss_limit_mb=1024 -print_final_stats=1 >"$out" 2>&1; then
    result=ok
  else
    result=FAILED
    status=1
    grep -E 'panicked|ERROR|SUMMARY|Test unit written|Running: ' "$out" | head -n 20 || true
  fi
  execs=$(grep -o 'stat::number_of_executed_units: *[0-9]*' "$out" | grep -o '[0-9]*$' | tail -n 1)
  summary+=("$(printf '%-18s %-7s %s executions' "$target" "$result" "${execs:-?}")")
  rm -f "$out"
done

log "fuzzing summary"
printf '%s\n' "${summary[@]}"
exit $status
