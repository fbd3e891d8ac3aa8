#!/usr/bin/env bash
# Z39.50 and SRU server benchmark: bibgate serve against zebrasrv on the
# same generated catalogue, through the same load client (bibgate bench
# z3950 / bench sru), in one run (BENCHMARKS.md, "Z39.50 and SRU servers").
#
#   bench/z3950.sh                       # 100,000 records, 8 connections, 10 s a mode
#   CONNS=2 DURATION=5s bench/z3950.sh
#   WORK=/tmp/zb bench/z3950.sh          # keep (and on the next run reuse) data and indexes
#   MODES="present10 sru10" bench/z3950.sh  # some modes only
#   BIBGATE=/path/to/bibgate bench/z3950.sh
#
# Needs Go (to build bibgate unless BIBGATE is set), zebraidx and zebrasrv
# (Debian: apt-get install idzebra-2.0 yaz), curl and jq. Loopback only.
#
# Modes, each run against zebrasrv and then against bibgate serve, each
# after a WARMUP run of the same mode:
#   search       Search only (bench/queries.pqf), kept-alive connections
#   search+10    Search, then Present 10 USMARC records from position 1
#   present10    Search once per connection, then Present 10 USMARC from
#                random positions of that set (--present-only)
#   session      connect, Init, Search, Present 10 USMARC, Close per query
#   sru10        SRU 1.2 searchRetrieve (bench/queries.cql), 10 MARCXML
#
# Zebra is set up from bench/zebra/ plus, in the work directory only:
# "encoding utf-8" in the .abs and zebra.cfg (records and Z39.50 terms are
# UTF-8; without it Zebra reads both as ISO 8859-1, which happens to agree
# over Z39.50 but leaves SRU's UTF-8 CQL terms with no hits), YAZ's stock
# pqf.properties as cql2rpn, and a retrievalinfo offering USMARC and
# MARCXML (converted from USMARC by YAZ per request, as Zebra does).
set -euo pipefail

cd "$(dirname "$0")/.."
N=${N:-100000}
CONNS=${CONNS:-8}
DURATION=${DURATION:-10s}
WARMUP=${WARMUP:-2s}
ZPORT=${ZPORT:-9999}
BPORT=${BPORT:-2199}
if [ -n "${WORK:-}" ]; then
	mkdir -p "$WORK"
	KEEP=1
else
	WORK=$(mktemp -d "${TMPDIR:-/tmp}/bibgate-z3950bench.XXXXXX")
fi
PIDS=()
cleanup() {
	for p in "${PIDS[@]}"; do kill "$p" 2>/dev/null || true; done
	wait 2>/dev/null || true
	if [ "${KEEP:-0}" != 1 ]; then rm -rf "$WORK"; fi
}
trap cleanup EXIT

say() { printf '%s\n' "$*"; }
wait_port() {
	for _ in $(seq 1 100); do
		if (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null; then return 0; fi
		sleep 0.1
	done
	say "port $1 did not open"
	return 1
}
for tool in zebraidx zebrasrv curl jq; do
	command -v "$tool" >/dev/null || { say "$tool is not installed"; exit 1; }
done

BIN=${BIBGATE:-}
if [ -z "$BIN" ]; then
	BIN="$WORK/bibgate"
	go build -o "$BIN" ./cmd/bibgate
fi

say "== machine"
say "date:    $(date -u +%Y-%m-%dT%H:%M:%SZ)"
say "nproc:   $(nproc)"
say "cpu:     $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2- | sed 's/^ *//')"
say "memory:  $(awk '/MemTotal/ { printf "%.1f GB", $2 / 1048576 }' /proc/meminfo)"
say "go:      $(go version 2>/dev/null || echo '-')"
say "zebra:   $(zebraidx -V 2>&1 | head -1)"
say "bibgate: $(git rev-parse --short HEAD 2>/dev/null || echo '?') ($BIN)"
say "load:    $(cut -d' ' -f1-3 /proc/loadavg) (1, 5, 15 min; others share the machine)"
say "records: $N; conns: $CONNS; duration: $DURATION after $WARMUP warm-up"
say "work:    $WORK"

say ""
say "== data"
if [ ! -s "$WORK/cat.mrc" ]; then
	"$BIN" gen-catalogue -n "$N" -o "$WORK/cat.mrc" --seed 1
fi
if [ ! -s "$WORK/data/catalogue.db" ]; then
	"$BIN" import --quiet --data-dir "$WORK/data" "$WORK/cat.mrc"
fi
if [ ! -e "$WORK/zebra/indexed" ]; then
	rm -rf "$WORK/zebra"
	mkdir -p "$WORK/zebra"/{register,lock,tmp}
	cp bench/zebra/zebra.cfg bench/zebra/bibgate.abs /usr/share/yaz/etc/pqf.properties "$WORK/zebra/"
	echo 'encoding: utf-8' >>"$WORK/zebra/zebra.cfg"
	sed -i 's/^marc usmarc.mar$/&\nencoding utf-8/' "$WORK/zebra/bibgate.abs"
	(
		cd "$WORK/zebra"
		zebraidx -c zebra.cfg init >/dev/null 2>&1
		zebraidx -c zebra.cfg update "$WORK/cat.mrc" >zebraidx.log 2>&1
		grep 'Records:' zebraidx.log | tail -1
		touch indexed
	)
fi
cat >"$WORK/zebra/yazgfs.xml" <<EOF
<?xml version="1.0"?>
<yazgfs>
  <listen id="bench">tcp:127.0.0.1:$ZPORT</listen>
  <server id="main" listenref="bench">
    <config>zebra.cfg</config>
    <cql2rpn>pqf.properties</cql2rpn>
    <retrievalinfo>
      <retrieval syntax="usmarc"/>
      <retrieval syntax="xml" name="marcxml" identifier="info:srw/schema/1/marcxml-v1.1">
        <backend syntax="usmarc" name="F">
          <marc inputformat="marc" outputformat="marcxml" inputcharset="utf-8"/>
        </backend>
      </retrieval>
    </retrievalinfo>
  </server>
</yazgfs>
EOF
say "catalogue: $(stat -c %s "$WORK/cat.mrc") bytes; queries: $(wc -l <bench/queries.pqf) PQF, $(wc -l <bench/queries.cql) CQL"

RESULTS="$WORK/results.jsonl"
: >"$RESULTS"

# run SERVER MODE: warm up, then measure, appending one JSON line.
run() {
	local server=$1 mode=$2 port=$3 args
	case $mode in
	search) args=(z3950 --addr "tcp:127.0.0.1:$port/Default" --queries bench/queries.pqf) ;;
	search+10) args=(z3950 --addr "tcp:127.0.0.1:$port/Default" --queries bench/queries.pqf --present 10 --syntax usmarc) ;;
	present10) args=(z3950 --addr "tcp:127.0.0.1:$port/Default" --queries bench/queries.pqf --present-only --present 10 --syntax usmarc) ;;
	session) args=(z3950 --addr "tcp:127.0.0.1:$port/Default" --queries bench/queries.pqf --new-session --present 10 --syntax usmarc) ;;
	sru10) args=(sru --addr "http://127.0.0.1:$port/Default" --queries bench/queries.cql --records 10 --schema marcxml --version 1.2) ;;
	esac
	"$BIN" bench "${args[@]}" --conns "$CONNS" --duration "$WARMUP" --json >/dev/null
	"$BIN" bench "${args[@]}" --conns "$CONNS" --duration "$DURATION" --json |
		jq -c --arg server "$server" --arg mode "$mode" '. + {server: $server, mode: $mode}' | tee -a "$RESULTS"
}
read -r -a MODES <<<"${MODES:-search search+10 present10 session sru10}"

say ""
say "== zebrasrv ($CONNS connections, $DURATION a mode)"
(cd "$WORK/zebra" && exec zebrasrv -f yazgfs.xml -l zebrasrv.log) &
PIDS+=($!)
wait_port "$ZPORT"
for m in "${MODES[@]}"; do run zebra "$m" "$ZPORT"; done
kill "${PIDS[-1]}" 2>/dev/null || true

say ""
say "== bibgate serve ($CONNS connections, $DURATION a mode)"
"$BIN" serve --data-dir "$WORK/data" --z3950 "127.0.0.1:$BPORT" --sip2 off --admin off --log-format json \
	>"$WORK/serve.log" 2>&1 &
PIDS+=($!)
wait_port "$BPORT"
for m in "${MODES[@]}"; do run bibgate "$m" "$BPORT"; done
kill "${PIDS[-1]}" 2>/dev/null || true

say ""
say "load at the end: $(cut -d' ' -f1-3 /proc/loadavg)"
say ""
say "| mode | bibgate /s | p50 ms | p99 ms | max ms | Zebra /s | p50 ms | p99 ms | max ms | ratio | errors b/z |"
say "|---|---|---|---|---|---|---|---|---|---|---|"
jq -rs '
	def f(x): if x == null then "-" else (x * 100 | round / 100 | tostring) end;
	. as $all | ["search", "search+10", "present10", "session", "sru10"][]
	| . as $m | {mode: $m, b: ($all | map(select(.server == "bibgate" and .mode == $m))[0]),
		z: ($all | map(select(.server == "zebra" and .mode == $m))[0])}
	| select(.b != null and .z != null) | "| \(.mode) | **\(.b.throughput | round)** | \(f(.b.p50_ms)) | \(f(.b.p99_ms)) | \(f(.b.max_ms)) | **\(.z.throughput | round)** | \(f(.z.p50_ms)) | \(f(.z.p99_ms)) | \(f(.z.max_ms)) | **\(.b.throughput / .z.throughput * 100 | round / 100)×** | \(.b.errors)/\(.z.errors) |"
' "$RESULTS"
say ""
jq -rs 'map(select(.mode == "search")) | map("\(.server): \(.hits / .messages | round) hits a query (search mode)") | .[]' "$RESULTS"
