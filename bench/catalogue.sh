#!/usr/bin/env bash
# Catalogue benchmark: bibgate against Zebra on the same generated
# catalogue and the same queries (BENCHMARKS.md, "Catalogue").
#
#   bench/catalogue.sh                 # 100,000 records
#   N=20000 bench/catalogue.sh         # smaller
#   BIBGATE=/path/to/bibgate bench/catalogue.sh
#
# Needs Go, and for the Zebra half zebraidx and zebrasrv (Debian:
# apt-get install idzebra-2.0 yaz). Everything runs on loopback; the work
# directory is printed and removed at the end unless KEEP=1.
#
# Steps: generate N records (bibgate gen-catalogue, seed 1); draw the query
# mix (bench/querymix -> bench/queries.pqf, bench/queries.cql); time
# bibgate import and measure the catalogue file; run the in-process Go
# benchmark over catalog.Search (BenchmarkQueryMix); time zebraidx on the
# same file and measure its register; then search-only load through
# z3950bench (bench/z3950load: 8 connections, 10 s, no present) against
# zebrasrv and against bibgate serve.
set -euo pipefail

cd "$(dirname "$0")/.."
N=${N:-100000}
CONNS=${CONNS:-8}
DURATION=${DURATION:-10s}
WORK=$(mktemp -d "${TMPDIR:-/tmp}/bibgate-catbench.XXXXXX")
ZPORT=${ZPORT:-9999}
BPORT=${BPORT:-2199}
PIDS=()
cleanup() {
	for p in "${PIDS[@]}"; do kill "$p" 2>/dev/null || true; done
	wait 2>/dev/null || true
	if [ "${KEEP:-0}" != 1 ]; then rm -rf "$WORK"; fi
}
trap cleanup EXIT

say() { printf '%s\n' "$*"; }
now() { date +%s.%N; }
elapsed() { awk -v a="$1" -v b="$2" 'BEGIN { printf "%.2f", b - a }'; }
wait_port() {
	for _ in $(seq 1 100); do
		if (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null; then return 0; fi
		sleep 0.1
	done
	say "port $1 did not open"; return 1
}

say "== machine"
say "date:    $(date -u +%Y-%m-%dT%H:%M:%SZ)"
say "nproc:   $(nproc)"
say "cpu:     $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2- | sed 's/^ *//')"
say "memory:  $(awk '/MemTotal/ { printf "%.1f GB", $2 / 1048576 }' /proc/meminfo)"
say "go:      $(go version)"
if command -v zebraidx >/dev/null; then
	say "zebra:   $(zebraidx -V 2>&1 | head -1)"
fi
say "load:    $(cut -d' ' -f1-3 /proc/loadavg) (1, 5, 15 min; others share the machine)"
say "records: $N"
say "work:    $WORK"

BIN=${BIBGATE:-}
if [ -z "$BIN" ]; then
	BIN="$WORK/bibgate"
	go build -o "$BIN" ./cmd/bibgate
fi
if ! "$BIN" help 2>&1 | grep -q 'gen-catalogue'; then
	say "$BIN has no gen-catalogue/import commands (are they registered in cmd/bibgate/main.go?)"
	exit 1
fi

say ""
say "== generate"
"$BIN" gen-catalogue -n "$N" -o "$WORK/cat.mrc" --seed 1
say "file: $(stat -c %s "$WORK/cat.mrc") bytes"
go run ./bench/querymix -in "$WORK/cat.mrc" -n 40 -pqf bench/queries.pqf -cql bench/queries.cql
say "queries: $(wc -l <bench/queries.pqf) (bench/queries.pqf, bench/queries.cql)"

say ""
say "== bibgate import"
t0=$(now)
"$BIN" import --quiet --data-dir "$WORK/data" "$WORK/cat.mrc"
t1=$(now)
say "bibgate import: $(elapsed "$t0" "$t1") s wall"
say "bibgate index: $(stat -c %s "$WORK/data/catalogue.db") bytes file, $(du -sb "$WORK/data/catalogue.db" | cut -f1) bytes allocated"

say ""
say "== bibgate in-process query mix (catalog.Search)"
go test ./catalog -run '^$' -bench 'QueryMix' -benchtime 5s -count 1 \
	-args -catalogue.db="$WORK/data/catalogue.db" -catalogue.queries="$PWD/bench/queries.cql" |
	grep -E '^Benchmark|queries,' | awk '!seen[$0]++'

if command -v zebraidx >/dev/null && command -v zebrasrv >/dev/null; then
	say ""
	say "== zebraidx"
	mkdir -p "$WORK/zebra"/{register,lock,tmp}
	cp bench/zebra/zebra.cfg bench/zebra/bibgate.abs "$WORK/zebra/"
	sed "s/127.0.0.1:9999/127.0.0.1:$ZPORT/" bench/zebra/yazgfs.xml >"$WORK/zebra/yazgfs.xml"
	(
		cd "$WORK/zebra"
		zebraidx -c zebra.cfg init >/dev/null 2>&1
		t0=$(now)
		zebraidx -c zebra.cfg update "$WORK/cat.mrc" >zebraidx.log 2>&1
		t1=$(now)
		say "zebraidx update: $(elapsed "$t0" "$t1") s wall ($(grep 'Records:' zebraidx.log | tail -1 | sed 's/.*Records: //'))"
		say "zebra register: $(du -sb register | cut -f1) bytes"
	)

	say ""
	say "== zebrasrv search only ($CONNS connections, $DURATION)"
	(cd "$WORK/zebra" && exec zebrasrv -f yazgfs.xml -l zebrasrv.log) &
	PIDS+=($!)
	wait_port "$ZPORT"
	go run ./bench/z3950load -addr "tcp:127.0.0.1:$ZPORT/Default" -queries bench/queries.pqf \
		-conns "$CONNS" -duration "$DURATION"
	kill "${PIDS[-1]}" 2>/dev/null || true
else
	say ""
	say "== zebra: zebraidx/zebrasrv not installed, skipped"
fi

say ""
say "== bibgate serve search only ($CONNS connections, $DURATION)"
"$BIN" serve --data-dir "$WORK/data" --z3950 "127.0.0.1:$BPORT" --sip2 off --admin off \
	--log-level warn >"$WORK/serve.log" 2>&1 &
PIDS+=($!)
wait_port "$BPORT"
go run ./bench/z3950load -addr "tcp:127.0.0.1:$BPORT/Default" -queries bench/queries.pqf \
	-conns "$CONNS" -duration "$DURATION"
say ""
say "load at the end: $(cut -d' ' -f1-3 /proc/loadavg)"
