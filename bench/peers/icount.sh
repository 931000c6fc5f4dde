#!/bin/sh
# Instructions per call of every peer and case (callgrind), on the fresh
# data of one value range: bench_peers --calls runs N single calls (N/20
# batches of 1000) between callgrind's instrumentation toggles, nothing else
# is counted.
#   icount.sh BENCH_PEERS [RANGE 0..4 (default 2: int64 full range)] [N]
set -eu
bench=$1 range=${2:-2} n=${3:-20000}
command -v valgrind >/dev/null || { echo "icount.sh: valgrind is needed"; exit 1; }
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
printf '%-14s %16s %16s %20s %20s\n' peer "single Add" "single AddFixed" "batch 1000 Add /el" "batch AddFixed /el"
for peer in $("$bench" --list-peers); do
  row=$(printf '%-14s' "$peer")
  for c in 0 1 2 3; do
    calls=$n
    [ "$c" -lt 2 ] || calls=$(( n / 20 > 10 ? n / 20 : 10 ))
    if valgrind --tool=callgrind --instr-atstart=no --callgrind-out-file="$tmp/cg.out" \
         "$bench" --only "$peer" --calls "$c" "$range" "$calls" >/dev/null 2>&1; then
      ir=$(awk '/^totals:/ {print $2; exit}' "$tmp/cg.out")
      [ "${ir:-0}" -gt 0 ] || { echo "icount.sh: callgrind counted nothing for $peer case $c"; exit 1; }
      if [ "$c" -ge 2 ]; then per=$(awk -v ir="$ir" -v n="$calls" 'BEGIN {printf "%.1f", ir / n / 1000}')
      else per=$(awk -v ir="$ir" -v n="$calls" 'BEGIN {printf "%.0f", ir / n}'); fi
    elif "$bench" --only "$peer" --calls "$c" "$range" 0 >/dev/null 2>&1; then
      echo "icount.sh: valgrind failed on $peer case $c"
      exit 1
    else
      per=- # the peer does not offer this case
    fi
    row="$row $(printf '%16s' "$per")"
  done
  echo "$row"
done
