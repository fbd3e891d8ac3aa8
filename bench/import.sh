#!/usr/bin/env bash
# Import benchmark (BENCHMARKS.md, "Imports"): N generated records with
# COPIES Koha 952 copies each against the same records without copies
# (--no-copies), and N patrons from CSV with PIN hashes from the old system
# (bcrypt, kept) and, smaller, with PINs in clear (hashed with Argon2id in
# parallel). Time and peak memory from /usr/bin/time -v.
#
#   bench/import.sh                 # 100,000 records, 3 copies each, 100,000 patrons
#   N=20000 bench/import.sh
set -euo pipefail

cd "$(dirname "$0")/.."
N=${N:-100000}
COPIES=${COPIES:-3}
PATRONS=${PATRONS:-100000}
CLEAR=${CLEAR:-500}
WORK=$(mktemp -d "${TMPDIR:-/tmp}/bibgate-importbench.XXXXXX")
trap '[ "${KEEP:-}" = 1 ] || rm -rf "$WORK"' EXIT
echo "work dir $WORK"

go build -o "$WORK/bibgate" ./cmd/bibgate
go build -o "$WORK/importdata" ./bench/importdata
"$WORK/bibgate" gen-catalogue -n "$N" -o "$WORK/cat.mrc"
"$WORK/importdata" -copies "$COPIES" -in "$WORK/cat.mrc" -o "$WORK/cat952.mrc"
"$WORK/importdata" -patrons "$PATRONS" -pin hash -o "$WORK/patrons-hash.csv"
"$WORK/importdata" -patrons "$CLEAR" -pin clear -o "$WORK/patrons-clear.csv"

cat > "$WORK/bench.toml" <<TOML
data_dir = "$WORK/data"
[demo]
load = true
[holdings]
format = "koha"
[holdings.libraries]
CPL = "ILU"
SUB = "SUB"
BEB = "BEB"
DVI = "DVI"
EGL = "EGL"
PIL = "PIL"
SED = "SED"
PAS = "PAS"
[holdings.types]
BK = "book"
TOML

measure() { # label, command...
	local label=$1
	shift
	/usr/bin/time -v "$@" >"$WORK/out.txt" 2>"$WORK/time.txt"
	grep -E 'records stored|copies:|patrons imported' "$WORK/out.txt" || true
	local wall rss
	wall=$(grep 'Elapsed (wall clock)' "$WORK/time.txt" | awk '{print $NF}')
	rss=$(grep 'Maximum resident set size' "$WORK/time.txt" | awk '{print $NF}')
	printf '%-40s wall %s  peak RSS %d MiB\n' "$label" "$wall" $((rss / 1024))
}

rm -rf "$WORK/data"
measure "records alone (--no-copies)" "$WORK/bibgate" import --config "$WORK/bench.toml" -q --no-copies "$WORK/cat952.mrc"
rm -rf "$WORK/data"
measure "records with copies" "$WORK/bibgate" import --config "$WORK/bench.toml" -q "$WORK/cat952.mrc"
measure "re-import with copies (all exist)" "$WORK/bibgate" import --config "$WORK/bench.toml" -q "$WORK/cat952.mrc"
rm -rf "$WORK/data"
measure "patrons, imported bcrypt hashes" "$WORK/bibgate" patrons import --config "$WORK/bench.toml" -q "$WORK/patrons-hash.csv"
rm -rf "$WORK/data"
measure "patrons, PINs in clear (Argon2id)" "$WORK/bibgate" patrons import --config "$WORK/bench.toml" -q "$WORK/patrons-clear.csv"
