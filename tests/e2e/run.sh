#!/usr/bin/env bash
# End-to-end checks of the built sample site (run from .ci/run, or by hand):
#   (a) axe-core, WCAG 2.1 A and AA, in headless Chromium at 1280 px and 390 px: zero violations
#       (plus: no script errors, no sideways scrolling on a phone, search finds and links right);
#   (b) the Nu HTML checker (vnu.jar) on every page and stylesheet: zero errors;
#   (c) internal links and #anchors: zero broken;
#   (d) scripts, styles, images and fonts are all local: no other host anywhere;
#   (e) a click-through in headless Chromium from index.html, opened from disk (file://), served
#       at a host's root and under a base path: no folder listing, no link to a folder, no
#       broken link or #anchor (search results included), every page reachable.
# Installs what it needs: Debian's chromium and a Java runtime (apt), node packages (npm ci).
# Usage: tests/e2e/run.sh [SITE_ROOT]   (default: the repository, which is the sample site)
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
repo="$(cd "$here/../.." && pwd)"
site_root="$(cd "${1:-$repo}" && pwd)"
start=$SECONDS

need=()
[ -x "${CHROMIUM:-/usr/bin/chromium}" ] || need+=(chromium)
command -v java >/dev/null || need+=(openjdk-17-jre-headless)
command -v node >/dev/null && command -v npm >/dev/null || need+=(nodejs npm)
if ((${#need[@]})); then
  echo "e2e: installing ${need[*]}"
  sudo=""; [ "$(id -u)" = 0 ] || sudo="sudo"
  $sudo apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq --no-install-recommends "${need[@]}" >/dev/null
fi
(cd "$here" && npm ci --no-audit --no-fund --loglevel=error >/dev/null)

work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT
out="$work/site"
echo "e2e: building $site_root"
(cd "$repo" && cargo run --quiet -- build --root "$site_root" --out "$out" >/dev/null)

failed=()
step() {
  local name="$1"; shift
  local t=$SECONDS
  echo "== e2e: $name"
  if "$@"; then echo "   ok ($((SECONDS - t)) s)"; else echo "   FAILED ($((SECONDS - t)) s)"; failed+=("$name"); fi
}

links() { node "$here/links.mjs" "$out"; }
html() {
  local jar="$here/node_modules/vnu-jar/build/dist/vnu.jar" report status=0
  report="$(java -jar "$jar" --skip-non-html --also-check-css --format gnu "$out" 2>&1)" || status=$?
  report="$(sed "s|\"file:$out/|\"|" <<<"$report")"
  [ -z "$report" ] || echo "$report"
  local errors; errors=$(grep -c ': error' <<<"$report" || true)
  echo "html: $(find "$out" -name '*.html' | wc -l) pages, $errors errors, $(grep -c 'info warning' <<<"$report" || true) warnings"
  # vnu exits 1 on errors; anything else non-zero is the checker failing.
  ((errors == 0 && status == 0))
}
a11y() { node "$here/a11y.mjs" "$out"; }
crawl() { node "$here/crawl.mjs" "$out"; }
# The same click-through on a site with page links, images, a page bundle and static/ files.
crawl_links() {
  cp -r "$repo/tests/fixtures/links" "$work/links-site" &&
    (cd "$repo" && cargo run --quiet -- build --no-pdf --root "$work/links-site" --out "$work/links" >/dev/null) &&
    node "$here/crawl.mjs" "$work/links"
}

step "links, anchors and other hosts" links
step "Nu HTML checker" html
step "axe-core WCAG 2.1 AA at 1280 and 390 px" a11y
step "click-through over file:// and HTTP (root and base path)" crawl
step "click-through of tests/fixtures/links (page links, images, static/)" crawl_links

echo "e2e: $((SECONDS - start)) s"
if ((${#failed[@]})); then
  echo "e2e: FAILED: ${failed[*]}"
  exit 1
fi
echo "e2e: all checks passed"
