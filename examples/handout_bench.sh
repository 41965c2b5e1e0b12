#!/usr/bin/env bash
# Handout benchmark: builds in release mode, runs the in-process benchmark (one handout, a
# batch of 1,000, sizes) and times the `careguide handout` command end to end.
# Usage: examples/handout_bench.sh [COUNT]   (run from the repository root)
set -euo pipefail
count="${1:-1000}"
site=tests/fixtures/taper/site
cargo build --release --quiet --example handout_bench --bin careguide
./target/release/examples/handout_bench "$site" "$count"

tmp="$(mktemp -d)"
trap 'rm -rf "$tmp"' EXIT
runs=20
start=$(date +%s%N)
for i in $(seq "$runs"); do
  ./target/release/careguide handout --root "$site" --page kratom-withdrawal --allow-unapproved \
    --patient-name "Bench Patient" --dose 20 --start 2026-12-01 --date 2026-11-26 \
    --out "$tmp/h.pdf" > /dev/null
done
end=$(date +%s%N)
echo "| \`careguide handout\` end to end (process start, site load, PDF, write; mean of $runs) | $(( (end - start) / runs / 1000000 )) ms |"
