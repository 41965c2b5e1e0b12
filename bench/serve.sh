#!/usr/bin/env bash
# `careguide serve` under hostile clients: how long a normal `GET /` takes on the sample site
# with nothing else going on, while 64 stalled connections are held open (a request head begun
# and never finished), while 64 slowloris clients each send a byte of their head every 3 s, and
# while a rebuild runs (a page edited until the served version changes).
#
#   bench/serve.sh                 # builds the release binary first
#   CAREGUIDE=/path/to/careguide bench/serve.sh
#
# Figures go to stdout as a Markdown table; the README's "Hostile or broken content" section
# keeps the latest run. The clients are Python 3 (standard library only).
set -euo pipefail
cd "$(dirname "$0")/.."
if [ -z "${CAREGUIDE:-}" ]; then
  cargo build --quiet --release --bin careguide
  CAREGUIDE="$PWD/target/release/careguide"
fi
work="$(mktemp -d)"
site="$work/site"
mkdir -p "$site"
cp -r careguide.toml content templates "$site/"
[ -d static ] && cp -r static "$site/"

"$CAREGUIDE" serve --port 0 --root "$site" >"$work/out" 2>"$work/err" &
pid=$!
trap 'kill "$pid" 2>/dev/null; wait "$pid" 2>/dev/null; rm -rf "$work"' EXIT
port=""
for _ in $(seq 1 600); do
  port=$(sed -n 's|.*http://127\.0\.0\.1:\([0-9]*\)/.*|\1|p' "$work/out" | head -n1)
  [ -n "$port" ] && break
  sleep 0.1
done
[ -n "$port" ] || { cat "$work/err" >&2; echo "serve printed no address" >&2; exit 1; }

python3 - "$port" "$site/content/kratom-withdrawal.md" <<'PY'
import socket, statistics, sys, threading, time

port = int(sys.argv[1])
page = sys.argv[2]
HEAD = f"GET / HTTP/1.1\r\nHost: 127.0.0.1:{port}\r\nConnection: close\r\n\r\n".encode()


def get(path="/"):
    """One request; (seconds, status). A request not answered in 60 s counts as 60 s, 0."""
    start = time.monotonic()
    try:
        with socket.create_connection(("127.0.0.1", port), timeout=60) as s:
            s.sendall(HEAD.replace(b"GET / ", f"GET {path} ".encode()))
            data = b""
            while chunk := s.recv(65536):
                data += chunk
        status = int(data.split(b" ", 2)[1]) if data.startswith(b"HTTP/") else 0
    except OSError:
        status = 0
    return time.monotonic() - start, status


def version():
    with socket.create_connection(("127.0.0.1", port), timeout=60) as s:
        s.sendall(HEAD.replace(b"GET / ", b"GET /_careguide/version "))
        data = b""
        while chunk := s.recv(65536):
            data += chunk
    return data.split(b"\r\n\r\n", 1)[-1].strip()


def row(what, times):
    secs = [t for t, _ in times]
    ok = sum(1 for _, st in times if st == 200)
    ms = lambda x: f"{x * 1000:.1f} ms"
    print(f"| {what} | {len(times)} | {ok} | {ms(statistics.median(secs))} | {ms(max(secs))} |")


def many(n=20):
    return [get() for _ in range(n)]


print("| while | requests | answered 200 | median | slowest |")
print("|---|---|---|---|---|")
get()  # the first request loads what the server keeps in memory
row("nothing else", many())

# 64 connections that send half a request head and then nothing.
stalled = []
for _ in range(64):
    s = socket.create_connection(("127.0.0.1", port))
    s.sendall(b"GET / HTTP/1.1\r\nHost: 127.0.0.1\r\n")
    stalled.append(s)
time.sleep(1)
row("64 stalled connections open", many())

# 64 slowloris clients: a byte of the head every 3 s, for as long as the server keeps them.
stop = threading.Event()
slow_answers = []


def slowloris():
    try:
        with socket.create_connection(("127.0.0.1", port)) as s:
            for b in b"GET / HTTP/1.1\r\nHost: 127.0.0.1\r\nX-Slow: " + b"a" * 1000:
                if stop.is_set():
                    return
                s.sendall(bytes([b]))
                stop.wait(3)
    except OSError as e:
        slow_answers.append(type(e).__name__)


threads = [threading.Thread(target=slowloris, daemon=True) for _ in range(64)]
for t in threads:
    t.start()
time.sleep(4)
row("64 stalled + 64 slowloris (a byte every 3 s)", many())

# A rebuild: edit a page, and ask for / until the served version changes.
before = version()
with open(page, "a", encoding="utf-8") as f:
    f.write("\nOne more line for the benchmark.\n")
start = time.monotonic()
during = []
while version() == before and time.monotonic() - start < 120:
    during.append(get())
took = time.monotonic() - start
row(f"a rebuild ({took:.2f} s until the new version), with the clients above", during or [get()])
stop.set()
for s in stalled:
    s.close()
PY
echo
echo "$(date -u +%F), $(nproc) cores, $("$CAREGUIDE" --version 2>/dev/null || echo careguide)"
