#!/bin/sh
# tests/bench/hash-bench.sh - hashing a 1 GiB file set beside sha256sum, and plumb status over 10,000 unchanged files.
. "$top_srcdir/tests/bench/lib.sh"

# 1 GiB in 16 files of 64 MiB (random content), read once to warm the page cache
D="$BT/set"
if [ -z "${SKIP_SET:-}" ]; then
mkdir -p "$D"
i=0
while [ $i -lt 16 ]; do
	head -c 67108864 /dev/urandom > "$D/f$i.bin"
	i=$((i + 1))
done
cat "$D"/*.bin > /dev/null
BYTES=$((16 * 67108864))
t_sha=$(median_ms 3 sha256sum "$D"/f*.bin)
t_plumb=$(median_ms 3 "$PLUMB" data hash --no-memo "$D"/f*.bin)
t_plumb1=$(median_ms 3 "$PLUMB" data hash --no-memo -j 1 "$D"/f*.bin)
# the machine's own ceiling: OpenSSL's tool on one CPU, and on two at once
t_ossl=$(median_ms 3 openssl dgst -sha256 "$D"/f*.bin)
t_ossl2=$(median_ms 3 sh -c "openssl dgst -sha256 '$D'/f[0-7].bin & openssl dgst -sha256 '$D'/f[89].bin '$D'/f1[0-5].bin & wait")
# the same digests?
a=$(sha256sum "$D"/f0.bin | cut -d' ' -f1)
b=$("$PLUMB" data hash --no-memo "$D"/f0.bin | cut -d' ' -f1)
[ "$a" = "$b" ] || echo "warning: digests differ: $a vs $b"
gbs() { awk -v b=$BYTES -v t="$1" 'BEGIN { printf "%.2f", b / (t / 1000) / 1e9 }'; }
echo "1 GiB in 16 files, page cache warm (median of 3), $(nproc) CPUs:"
report "plumb data hash --no-memo (all CPUs)" "$(gbs "$t_plumb")" "GB/s" "budget >= 1.2 GB/s ($t_plumb ms)"
report "plumb data hash --no-memo -j 1" "$(gbs "$t_plumb1")" "GB/s" "($t_plumb1 ms)"
report "sha256sum (baseline)" "$(gbs "$t_sha")" "GB/s" "(same run, $t_sha ms)"
report "openssl dgst -sha256, 1 process" "$(gbs "$t_ossl")" "GB/s" "(ceiling of one CPU here)"
report "openssl dgst -sha256, 2 processes" "$(gbs "$t_ossl2")" "GB/s" "(ceiling of $(nproc) CPUs here)"
awk -v a="$t_sha" -v b="$t_plumb" 'BEGIN { printf "%-44s %12.2f %-8s %s\n", "ratio plumb / sha256sum", a / b, "x", "budget >= 3x" }'
rm -rf "$D"
fi

# plumb status over 10,000 unchanged files (a stage depending on a directory)
W="$BT/w"
mkdir -p "$W/data"
awk -v W="$W" 'BEGIN { for (i = 0; i < 10000; i++) { f = sprintf("%s/data/%05d.txt", W, i); print "row " i > f; close(f) } }' </dev/null
cd "$W"
cat > plumb.yaml <<'P'
stages:
  count:
    cmd: ls data | wc -l > count.txt
    deps: [data]
    outs: [count.txt]
P
"$PLUMB" init >/dev/null 2>&1
"$PLUMB" repro -q >/dev/null 2>&1 || echo "warning: repro failed"
"$PLUMB" status >/dev/null 2>&1	# settles files hashed within 50 ms of their writing
"$PLUMB" status | grep -q "up to date" || echo "warning: not up to date"
t_status=$(median_ms 7 "$PLUMB" status)
t_nomemo=$(median_ms 3 "$PLUMB" data hash --no-memo data)
t_find=$(median_ms 7 find data -type f -newer plumb.yaml)
echo "10,000 small unchanged files (median):"
report "plumb status (memo: nothing re-read)" "$t_status" "ms" "budget <= 100 ms"
report "hashing them all again (--no-memo)" "$t_nomemo" "ms" ""
report "find -newer over them (stat-only baseline)" "$t_find" "ms" "(same run)"
report "DVC MD5 (anchor)" "<= 0.55" "GB/s" "(not run here)"
