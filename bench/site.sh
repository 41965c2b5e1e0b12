#!/usr/bin/env bash
# Build-speed benchmark: cold build (HTML for three audiences, with and without the per-page
# PDFs), no-op rebuild, and rebuild after editing one page, with peak memory; and the size of
# the search index per page.
#
#   bench/site.sh            # N = 1000 and 5000
#   bench/site.sh 200        # any sizes
#
# Pages come from `examples/gen_corpus.rs` (4-10 KB of Markdown each, 5-8 sections, 10-25
# references, citations on most bullets, some audience blocks). Figures go to stdout as a
# Markdown table; the README keeps the latest run.
set -euo pipefail
cd "$(dirname "$0")/.."
cargo build --quiet --release --bin careguide --example gen_corpus
bin="$PWD/target/release/careguide"
gen="$PWD/target/release/examples/gen_corpus"
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT

# seconds and peak resident memory (MB) of one command
measure() {
  /usr/bin/time -f "%e %M" -o "$work/time" "$@" >/dev/null 2>"$work/err" || {
    cat "$work/err" >&2
    exit 1
  }
  read -r secs kb <"$work/time"
  echo "$secs s | $((kb / 1024)) MB"
}

echo "| pages | build | time | peak memory |"
echo "|---|---|---|---|"
for n in "${@:-1000 5000}"; do
  for n1 in $n; do
    site="$work/site-$n1"
    "$gen" "$n1" "$site"
    echo "| $n1 | cold, HTML only (--no-pdf) | $(measure "$bin" build --no-pdf --root "$site") |"
    echo "| $n1 | no-op rebuild | $(measure "$bin" build --no-pdf --root "$site") |"
    idx="$site/output/search/index.js"
    bytes=$(stat -c %s "$idx")
    gz=$(gzip -9 -c "$idx" | wc -c)
    echo "| $n1 | search index size | $((bytes / 1024)) KB: $((bytes / n1)) B per page, $((gz / n1)) B gzipped | |"
    page="$site/content/section-0/page-7.md"
    printf '\nOne more sentence for the benchmark.\n' >>"$page"
    echo "| $n1 | one page edited | $(measure "$bin" build --no-pdf --root "$site") |"
    printf '\nOne more sentence for the benchmark.\n' >>"$page"
    echo "| $n1 | one page edited again | $(measure "$bin" build --no-pdf --root "$site") |"
    printf '# a comment: every page renders again\n' >>"$site/careguide.toml"
    echo "| $n1 | configuration edited (every page renders again, references cached) | $(measure "$bin" build --no-pdf --root "$site") |"
    rm -rf "$site/output" "$site/.output.prev" "$site/.careguide-cache"
    echo "| $n1 | cold, with a PDF per page and audience | $(measure "$bin" build --root "$site") |"
    rm -rf "$site"
  done
done
