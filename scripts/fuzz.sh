#!/usr/bin/env bash
# Run every fuzz target (fuzz/, cargo-fuzz + libFuzzer) for a bounded time: scripts/fuzz.sh [SECONDS]
# (default 60 each). Installs cargo-fuzz when missing. The machine's toolchain is stable Rust;
# RUSTC_BOOTSTRAP=1 lets it take the sanitizer flags cargo-fuzz passes. Targets are optimized and keep
# debug assertions and overflow checks (`-O -a`): arithmetic on values from a core that overflows is
# a crash here, not a silent wrap. Crashes found are left in
# fuzz/artifacts/<target>/ and make the script fail; add them to the unit tests once fixed.
set -euo pipefail
cd "$(dirname "$0")/.."
seconds=${1:-60}
command -v cargo-fuzz >/dev/null || cargo install --quiet --locked cargo-fuzz
export RUSTC_BOOTSTRAP=1
# Seeds: synthetic cores from the unit tests (random bytes rarely make an ELF core).
COREWALK_FUZZ_SEEDS="$PWD/fuzz/corpus/core_file" cargo test --quiet --release --lib write_fuzz_seeds >/dev/null
cargo fuzz build -O -a
# heap_objects decodes a region of a synthetic heap (corewalk::v8::synth, no core needed); its
# first run seeds it with windows of that heap's own objects.
mkdir -p fuzz/corpus/heap_objects
empty=$(mktemp)
trap 'rm -f "$empty"' EXIT
COREWALK_FUZZ_SEEDS="$PWD/fuzz/corpus/heap_objects" \
  "fuzz/target/x86_64-unknown-linux-gnu/release/heap_objects" "$empty" >/dev/null 2>&1
for target in $(cargo fuzz list); do
  mkdir -p "fuzz/corpus/$target"
  echo "fuzz: $target for ${seconds}s" >&2
  cargo fuzz run -O -a "$target" "fuzz/corpus/$target" -- -max_total_time="$seconds" -print_final_stats=1 2>&1 |
    grep -E '^(Done|stat::number_of_executed_units|==[0-9]+==|SUMMARY)|panicked' || true
  if ls "fuzz/artifacts/$target"/crash-* >/dev/null 2>&1; then
    echo "fuzz: $target crashed; inputs in fuzz/artifacts/$target/" >&2
    exit 1
  fi
done
