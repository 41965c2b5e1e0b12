#!/usr/bin/env bash
# careguide against Hugo on the same generated pages (issue 17): medians of interleaved cold
# runs, with peak memory, as a Markdown table with the ratio to Hugo's time on the same pages.
#
#   bench/hugo.sh              # N = 2000 and 5000
#   bench/hugo.sh 300 2000     # any sizes
#   RUNS=5 bench/hugo.sh 2000  # more runs (default 3)
#   BEFORE=/path/to/old/careguide bench/hugo.sh 2000   # adds that binary's HTML builds
#   CAREGUIDE=bin GEN_CORPUS=bin bench/hugo.sh 2000    # given binaries, no cargo build
#   TMPDIR=/dev/shm bench/hugo.sh 2000                 # sites and outputs in memory (tmpfs)
#
# The time column is the wall clock; the CPU column is user + system time. On this VM's ext4
# the system time of creating tens of thousands of files right after deleting the last run's
# grows from run to run (the inode allocator skips recently deleted inodes), and careguide
# makes five files and four folders per page where Hugo makes one of each (each audience's
# page and the default one, the page's build-cache file; the PDFs three more; four more
# folders in the back copy); on tmpfs that cost is gone and the figures are the tools' own
# work.
#
# Needs `hugo` (Debian's package). Hugo builds the pages as one-audience pages with a minimal
# layout: front matter fields it does not know, audience-block markers (`:::`) and citations
# (`[@key]`) stay as text. careguide builds, on corpora from `examples/gen_corpus.rs`:
#   - one audience, no references (`--audiences 1 --no-refs`): the work Hugo does;
#   - one audience, with references (`--audiences 1`);
#   - three audiences, HTML only (`build --no-pdf`), and the default build (with a PDF per
#     page and audience);
#   - the same two on the shared-pool corpus (`--pool`), where pages cite from a pool of 3N/2
#     works as real clinic sites do; Hugo's ratio there is to Hugo on the pool corpus.
# Every careguide run is cold: the output and the cache are removed first.
set -euo pipefail
cd "$(dirname "$0")/.."
command -v hugo >/dev/null || {
  echo "hugo is not installed (apt-get install hugo)" >&2
  exit 1
}
if [[ -z ${CAREGUIDE:-} || -z ${GEN_CORPUS:-} ]]; then
  cargo build --quiet --release --bin careguide --example gen_corpus
fi
bin="${CAREGUIDE:-$PWD/target/release/careguide}"
gen="${GEN_CORPUS:-$PWD/target/release/examples/gen_corpus}"
before="${BEFORE:-}"
runs="${RUNS:-3}"
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT

# A Hugo site around a careguide corpus: the same content/ folder, one layout for pages and
# one for lists (sections and the home page).
hugo_site() {
  local src="$1" dst="$2"
  mkdir -p "$dst/layouts/_default"
  ln -s "$src/content" "$dst/content"
  cat >"$dst/hugo.toml" <<'EOF'
baseURL = "https://bench.example.org/"
title = "Benchmark clinic"
disableKinds = ["taxonomy", "term", "RSS", "sitemap", "robotsTXT", "404"]
EOF
  cat >"$dst/layouts/_default/single.html" <<'EOF'
<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>{{ .Title }}</title></head>
<body><main><h1>{{ .Title }}</h1>{{ .TableOfContents }}{{ .Content }}</main></body></html>
EOF
  cat >"$dst/layouts/_default/list.html" <<'EOF'
<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>{{ .Title }}</title></head>
<body><main><h1>{{ .Title }}</h1><ul>{{ range .Pages }}<li><a href="{{ .RelPermalink }}">{{ .Title }}</a></li>{{ end }}</ul></main></body></html>
EOF
}

# "seconds KB cpu-seconds" of one cold run of a variant
run_once() {
  local kind="$1" site="$2"
  rm -rf "$site/output" "$site/.output.prev" "$site/.careguide-cache" "$site/public" "$site/resources"
  local cmd
  case "$kind" in
  hugo) cmd=(hugo --quiet --source "$site" --destination "$site/public") ;;
  html) cmd=("$bin" build --no-pdf --root "$site") ;;
  pdf) cmd=("$bin" build --root "$site") ;;
  before) cmd=("$before" build --no-pdf --root "$site") ;;
  esac
  /usr/bin/time -f "%e %M %U %S" -o "$work/time" "${cmd[@]}" >/dev/null 2>"$work/err" || {
    cat "$work/err" >&2
    exit 1
  }
  awk '{printf "%s %s %.2f\n", $1, $2, $3 + $4}' "$work/time"
}

median() { sort -n | awk '{a[NR]=$1} END {print a[int((NR+1)/2)]}'; }

echo "| pages | build | time (median of $runs) | x Hugo | CPU (user + system) | peak memory |"
echo "|---|---|---|---|---|---|"
for n in ${@:-2000 5000}; do
  d="$work/$n"
  mkdir -p "$d"
  "$gen" "$n" "$d/unique"
  "$gen" "$n" "$d/pool" --pool
  "$gen" "$n" "$d/one" --audiences 1
  "$gen" "$n" "$d/bare" --audiences 1 --no-refs
  hugo_site "$d/unique" "$d/hugo"
  hugo_site "$d/pool" "$d/hugo-pool"
  # label | kind | site | the Hugo run it is compared with
  variants=(
    "Hugo|hugo|hugo|hugo"
    "careguide, one audience, no references (the work Hugo does)|html|bare|hugo"
    "careguide, one audience, with references|html|one|hugo"
    "careguide, three audiences, HTML (--no-pdf)|html|unique|hugo"
    "careguide, three audiences with PDFs: the default build|pdf|unique|hugo"
    "Hugo, shared-pool corpus|hugo|hugo-pool|hugo-pool"
    "careguide, shared pool, three audiences, HTML (--no-pdf)|html|pool|hugo-pool"
    "careguide, shared pool, three audiences with PDFs|pdf|pool|hugo-pool"
  )
  if [[ -n $before ]]; then
    variants+=(
      "careguide before (\$BEFORE), three audiences, HTML (--no-pdf)|before|unique|hugo"
      "careguide before (\$BEFORE), shared pool, three audiences, HTML (--no-pdf)|before|pool|hugo-pool"
    )
  fi
  for ((r = 0; r < runs; r++)); do
    for i in "${!variants[@]}"; do
      IFS='|' read -r _ kind site _ <<<"${variants[$i]}"
      run_once "$kind" "$d/$site" >>"$d/times-$i"
    done
  done
  for i in "${!variants[@]}"; do
    IFS='|' read -r label _ site base <<<"${variants[$i]}"
    s=$(cut -d' ' -f1 "$d/times-$i" | median)
    kb=$(cut -d' ' -f2 "$d/times-$i" | median)
    cpu=$(cut -d' ' -f3 "$d/times-$i" | median)
    # the Hugo row of the same corpus
    for j in "${!variants[@]}"; do
      IFS='|' read -r _ k2 s2 _ <<<"${variants[$j]}"
      [[ $k2 == hugo && $s2 == "$base" ]] && h=$(cut -d' ' -f1 "$d/times-$j" | median)
    done
    ratio=$(awk -v a="$s" -v b="$h" 'BEGIN {printf "%.2f", a / b}')
    echo "| $n | $label | $s s | $ratio | $cpu s | $((kb / 1024)) MB |"
  done
  rm -rf "$d"
done
