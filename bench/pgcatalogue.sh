#!/usr/bin/env bash
# Shared catalogue on PostgreSQL (BENCHMARKS.md, "Shared catalogue"): N
# generated records imported through gateway A while gateway B follows; the
# index lag of B sampled from /metrics during the import; then gateway C
# starts with an empty data directory and builds its index from the
# database (cold start, until /readyz answers 200). The demo data (47
# records among them) is loaded by A first. For comparison the same
# file is imported into a bolt catalogue of its own (no feed) under the same
# load.
#
#   bench/pgcatalogue.sh                    # 100,000 records
#   N=20000 DSN=postgres://... bench/pgcatalogue.sh
#   ALONE=1 bench/pgcatalogue.sh            # the import through A with no B, then stop
set -euo pipefail

cd "$(dirname "$0")/.."
N=${N:-100000}
DSN=${DSN:-postgres://postgres@127.0.0.1:5432/test?sslmode=disable}
SCHEMA=bibgate_bench_$$
WORK=$(mktemp -d "${TMPDIR:-/tmp}/bibgate-pgcatbench.XXXXXX")
PIDS=()
cleanup() {
	for p in "${PIDS[@]}"; do kill "$p" 2>/dev/null || true; done
	wait 2>/dev/null || true
	psql "$DSN" -qc "DROP SCHEMA IF EXISTS $SCHEMA CASCADE" >/dev/null 2>&1 || true
	[ "${KEEP:-}" = 1 ] || rm -rf "$WORK"
}
trap cleanup EXIT
echo "work dir $WORK, schema $SCHEMA"

go build -o "$WORK/bibgate" ./cmd/bibgate
"$WORK/bibgate" gen-catalogue -n "$N" -o "$WORK/cat.mrc" --seed 1
export BIBGATE_ADMIN_TOKEN=pgcatalogue-bench

node() { # name admin-port
	cat > "$WORK/$1.toml" <<TOML
data_dir = "$WORK/$1-data"
[store]
backend = "postgres"
postgres_dsn = "$DSN"
postgres_schema = "$SCHEMA"
eid_key_file = "$WORK/eid.key"
[demo]
load = true
[holdings]
format = "none"
TOML
	"$WORK/bibgate" serve --config "$WORK/$1.toml" --admin "127.0.0.1:$2" --sip2 off --z3950 off \
		--log-format json 2>"$WORK/$1.log" &
	PIDS+=($!)
}
ready() { # admin-port
	for _ in $(seq 6000); do
		curl -sf "http://127.0.0.1:$1/readyz" >/dev/null && return
		sleep 0.05
	done
	echo "gateway on :$1 not ready after 5 min" >&2
	exit 1
}
metric() { # admin-port name
	curl -s "http://127.0.0.1:$1/metrics" | awk -v m="$2" '$1 == m { print $2 }'
}

node a 19301
ready 19301
if [ "${ALONE:-}" = 1 ]; then
	start=$(date +%s.%N)
	"$WORK/bibgate" import --server http://127.0.0.1:19301 "$WORK/cat.mrc"
	echo "import through A, no other gateway: $(echo "$(date +%s.%N) - $start" | bc) s"
	uptime
	exit 0
fi
node b 19302
ready 19302

# Sample B's lag every 0.2 s while the import runs through A.
(
	while :; do
		printf '%s %s %s\n' "$(date +%s.%N)" "$(metric 19302 bibgate_catalogue_index_lag_changes)" \
			"$(metric 19302 bibgate_catalogue_index_lag_seconds)"
		sleep 0.2
	done
) >"$WORK/lag.txt" &
SAMPLER=$!
PIDS+=($SAMPLER)
start=$(date +%s.%N)
"$WORK/bibgate" import --server http://127.0.0.1:19301 "$WORK/cat.mrc"
returned=$(date +%s.%N)
until [ "$(metric 19302 bibgate_catalogue_index_lag_changes)" = 0 ] &&
	[ "$(metric 19302 bibgate_catalogue_index_applied_change)" = "$(metric 19301 bibgate_catalogue_index_applied_change)" ]; do
	sleep 0.05
done
caught=$(date +%s.%N)
kill $SAMPLER
awk -v s="$start" -v r="$returned" -v c="$caught" -v n="$N" '
	{ if ($2 > maxc) maxc = $2; if ($3 > maxs) maxs = $3; sum += $2; k++ }
	END {
		printf "import through A: %.1f s (%.0f records/s)\n", r - s, n / (r - s)
		printf "B caught up %.2f s after the import returned\n", c - r
		printf "B lag during the import: max %d changes, max %.1f s, mean %d changes (%d samples)\n", maxc, maxs, sum / k, k
	}' "$WORK/lag.txt"

# Cold start: C starts empty and builds its index from the database.
cstart=$(date +%s.%N)
node c 19303
ready 19303
cready=$(date +%s.%N)
echo "C cold start to ready: $(echo "$cready - $cstart" | bc) s for $(metric 19303 bibgate_catalogue_index_applied_change) changes"
echo "C progress lines logged: $(grep -c 'building from the shared catalogue' "$WORK/c.log" || true)"

# The same file into a bolt catalogue of its own, same load.
bstart=$(date +%s.%N)
"$WORK/bibgate" import --quiet --data-dir "$WORK/bolt" "$WORK/cat.mrc" >/dev/null
bend=$(date +%s.%N)
echo "bolt import (no feed): $(echo "$bend - $bstart" | bc) s"
uptime
