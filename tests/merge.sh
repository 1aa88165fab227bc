#!/bin/sh
# Mergeable evidence (issue #7), tested as a property: every bundled capture
# is cut with editcap (every N packets, every second, at seeded random
# packet numbers), each piece's evidence is written by its own run, and
# `portsleuth merge` over the pieces must print byte for byte what one pass
# over the whole capture prints (CSV; text and JSON against one run over
# the pieces, whose summaries also count the files). Then: pieces grouped into
# runs, reduce trees in any order (the merged evidence files themselves are
# identical), GNU parallel locally and through --sshloginfile, and every
# error path of evidence files.
# Environment (set by make check): PORTSLEUTH, SRCDIR.
TEST_NAME=merge
. "${SRCDIR:-$(dirname "$0")/..}/tests/lib.sh"
P=$PORTSLEUTH
need editcap wireshark-common
need capinfos wireshark-common
need parallel parallel

# emit DIR PIECE...: one evidence file per piece, DIR/e<n>.psev
emit() {
	_d=$1
	shift
	_n=0
	for _f in "$@"; do
		_n=$((_n + 1))
		"$P" --emit-evidence "$_d/e$(printf %05d $_n).psev" "$_f"
	done
}

# property NAME CAPTURE DIR: DIR holds the pieces (p*); compare merge
property() {
	_name=$1 _cap=$2 _d=$3
	# shellcheck disable=SC2086
	set -- "$_d"/p*
	emit "$_d" "$@" 2>"$_d/emit.err" || true
	"$P" -f csv "$_cap" >"$_d/whole.csv" 2>/dev/null || true
	"$P" -f text "$@" >"$_d/pieces.txt" 2>/dev/null || true
	"$P" -f json "$@" >"$_d/pieces.json" 2>/dev/null || true
	"$P" merge -f csv "$_d"/e*.psev >"$_d/m.csv" 2>"$_d/m.err" || true
	"$P" merge -f text "$_d"/e*.psev >"$_d/m.txt" 2>/dev/null || true
	"$P" merge -f json "$_d"/e*.psev >"$_d/m.json" 2>/dev/null || true
	# A capture whose clock runs backwards is read in file order alone,
	# but its pieces, like any set of files, in time order: there the
	# reference is the one run over the pieces.
	capinfos -o "$_cap" | grep -q 'Strict time order: *True' ||
	    "$P" -f csv "$@" >"$_d/whole.csv" 2>/dev/null || true
	if cmp -s "$_d/whole.csv" "$_d/m.csv" &&
	    cmp -s "$_d/pieces.txt" "$_d/m.txt" &&
	    cmp -s "$_d/pieces.json" "$_d/m.json" &&
	    [ -s "$_d/m.csv" ]; then
		ok "$_name ($# pieces)"
	else
		bad "$_name ($# pieces)"
		diff "$_d/whole.csv" "$_d/m.csv" | head -4 | sed 's/^/    /'
		diff "$_d/pieces.json" "$_d/m.json" | head -4 | sed 's/^/    /'
		head -3 "$_d/m.err" | sed 's/^/    /'
	fi
}

# random_cuts CAPTURE NPACKETS SEED DIR: pieces at 3 seeded random cuts
random_cuts() {
	_cuts=$(awk -v n="$2" -v seed="$3" 'BEGIN { srand(seed);
	    for (i = 0; i < 3; i++) print 2 + int(rand() * (n - 1)) }' |
	    sort -n | awk -v n="$2" 'BEGIN { s = 1 } $1 > s {
	    printf "%d-%d ", s, $1 - 1; s = $1 } END { printf "%d-%d\n", s, n }')
	_k=0
	for _r in $_cuts; do
		_k=$((_k + 1))
		editcap -F nsecpcap -r "$1" "$4/p$_k.pcap" "$_r" >/dev/null
	done
}

# 1. Every bundled capture, cut four ways.
n=0
for cap in "$S"/s[0-9]*.pcap "$S"/s[0-9]*.pcapng "$S"/real/*.pcap; do
	base=$(basename "$cap")
	packets=$(capinfos -Mc "$cap" | awk '/Number of packets/ { print $NF }')
	for cut in c1 c5 i1 rnd; do
		n=$((n + 1))
		d="$T/c$n"
		mkdir "$d"
		case $cut in
		c1) [ "$packets" -le 150 ] || continue
		    editcap -F nsecpcap -c 1 "$cap" "$d/p.pcap" >/dev/null ;;
		c5) # every 5 packets (every 97 for the larger captures)
		    k=5
		    [ "$packets" -le 1500 ] || k=97
		    editcap -F nsecpcap -c $k "$cap" "$d/p.pcap" >/dev/null ;;
		i1) # every second (every 1/40 of the span for long ones)
		    secs=$(capinfos -u "$cap" | awk '/duration/ {
		        d = int($3 / 40); print (d > 1 ? d : 1) }')
		    editcap -F nsecpcap -i "$secs" "$cap" "$d/p.pcap" >/dev/null ;;
		rnd) random_cuts "$cap" "$packets" "$n" "$d" ;;
		esac
		property "$base cut $cut" "$cap" "$d"
		rm -rf "$d"
	done
done

# 2. Groupings: pieces analysed two at a time in one run, then merged.
for base in s10_ips_synack_all s12_icmp_ratelimit s17_state_change \
    s19_reset_after_data_dpi; do
	cap="$S/$base.pcap"
	d="$T/g-$base"
	mkdir "$d"
	editcap -F nsecpcap -c 7 "$cap" "$d/p.pcap" >/dev/null
	set -- "$d"/p*
	k=0
	while [ $# -gt 0 ]; do
		k=$((k + 1))
		if [ $# -ge 2 ]; then
			"$P" --emit-evidence "$d/g$k.psev" "$1" "$2"
			shift 2
		else
			"$P" --emit-evidence "$d/g$k.psev" "$1"
			shift
		fi
	done
	"$P" -f csv "$cap" >"$d/whole.csv"
	"$P" merge -f csv "$d"/g*.psev >"$d/m.csv"
	same "$base: pieces grouped in pairs, merged" "$d/whole.csv" "$d/m.csv"
done

# 3. Reduce trees and argument order: the merged evidence is the same file.
cap="$S/s10_ips_synack_all.pcap"
d="$T/tree"
mkdir "$d"
editcap -F nsecpcap -c 200 "$cap" "$d/p.pcap" >/dev/null
set -- "$d"/p*
emit "$d" "$@"
e1=$d/e00001.psev e2=$d/e00002.psev e3=$d/e00003.psev e4=$d/e00004.psev
e5=$d/e00005.psev e6=$d/e00006.psev e7=$d/e00007.psev
"$P" merge --emit-evidence "$d/a12.psev" "$e1" "$e2" "$e3"
"$P" merge --emit-evidence "$d/a123.psev" "$d/a12.psev" "$e4" "$e5" "$e6" "$e7"
"$P" merge --emit-evidence "$d/b67.psev" "$e7" "$e6" "$e5"
"$P" merge --emit-evidence "$d/b45.psev" "$e4" "$d/b67.psev"
"$P" merge --emit-evidence "$d/b123.psev" "$d/b45.psev" "$e3" "$e1" "$e2"
"$P" merge --emit-evidence "$d/flat.psev" "$e1" "$e2" "$e3" "$e4" "$e5" "$e6" "$e7"
same "reduce tree (12)(34567) = flat" "$d/flat.psev" "$d/a123.psev"
same "reduce tree, arguments reversed = flat" "$d/flat.psev" "$d/b123.psev"
"$P" merge -f csv "$d/b123.psev" >"$d/m.csv"
"$P" -f csv "$cap" >"$d/whole.csv"
same "report from a reduce tree = one pass" "$d/whole.csv" "$d/m.csv"
"$P" merge -f csv "$e7" "$e3" "$e5" "$e1" "$e6" "$e2" "$e4" >"$d/shuffled.csv"
same "merge is commutative (shuffled arguments)" "$d/whole.csv" "$d/shuffled.csv"
"$P" --emit-evidence "$d/whole.psev" "$cap"
if [ "$(stat -c %s "$d/whole.psev")" -lt "$(stat -c %s "$cap")" ]; then
	ok "evidence is smaller than the capture"
else
	bad "evidence is not smaller than the capture"
fi
cap="$S/s16_app_client_traffic.pcap"
"$P" --emit-evidence "$d/app.psev" "$cap"
if [ $(($(stat -c %s "$d/app.psev") * 8)) -lt "$(stat -c %s "$cap")" ]; then
	ok "application traffic: evidence < 1/8 of the capture"
else
	bad "application traffic: evidence $(stat -c %s "$d/app.psev") bytes"
fi

# 4. GNU parallel: map on two processes, merge; and the same map through
# --sshloginfile (":" is this machine; a list of ssh logins is the
# multi-machine form documented in the README).
cap="$S/s12_icmp_ratelimit.pcap"
d="$T/par"
mkdir "$d"
editcap -F nsecpcap -c 20 "$cap" "$d/p.pcap" >/dev/null
"$P" -f csv "$cap" >"$d/whole.csv"
parallel --will-cite -j 2 "$P" --emit-evidence "$d/{/.}.psev" {} ::: "$d"/p*.pcap
"$P" merge -f csv "$d"/*.psev >"$d/m.csv"
same "GNU parallel -j 2 map, merge" "$d/whole.csv" "$d/m.csv"
ls "$d"/*.psev >"$d/list"
"$P" merge -f csv --files-from "$d/list" >"$d/m3.csv"
same "merge --files-from" "$d/whole.csv" "$d/m3.csv"
mkdir "$d/ev"
mv "$d"/*.psev "$d/ev/"
cp "$cap" "$d/ev/not-evidence.pcap"
"$P" merge -f csv "$d/ev" >"$d/m4.csv"
same "merge of a directory (evidence files found by content)" \
    "$d/whole.csv" "$d/m4.csv"
rm -f "$d"/*.psev
echo "2/:" >"$d/logins"
parallel --will-cite --sshloginfile "$d/logins" "$P" --emit-evidence \
    "$d/{/.}.psev" {} ::: "$d"/p*.pcap
"$P" merge -f csv "$d"/*.psev >"$d/m2.csv"
same "GNU parallel --sshloginfile map, merge" "$d/whole.csv" "$d/m2.csv"

# 5. Bad evidence: one line naming the file, documented exit status.
d="$T/bad"
mkdir "$d"
"$P" --emit-evidence "$d/good.psev" "$S/s01_syn_hostfw.pcap"
size=$(stat -c %s "$d/good.psev")
expect() { # NAME STATUS REGEX ARGS...
	_n=$1 _w=$2 _re=$3
	shift 3
	set +e
	"$P" "$@" >"$d/out" 2>"$d/err"
	_s=$?
	set -e
	if [ "$_s" = "$_w" ] && grep -Eq -e "$_re" "$d/err" &&
	    [ "$(wc -l <"$d/err")" -le 1 ]; then
		ok "$_n"
	else
		bad "$_n: status $_s (want $_w), stderr: $(head -2 "$d/err")"
	fi
}
printf 'not evidence at all, just text\n%.0s' 1 2 3 >"$d/garbage.psev"
expect "garbage evidence" 65 \
    "garbage.psev: not a portsleuth evidence file .*at byte 0" \
    merge "$d/garbage.psev"
head -c $((size - 5)) "$d/good.psev" >"$d/cut.psev"
expect "truncated evidence" 65 \
    "cut.psev: truncated evidence file .*at byte $((size - 21))\$" \
    merge "$d/cut.psev"
printf 'PSLTEVID\001\000' >"$d/short.psev"
expect "ten bytes of evidence" 65 \
    "short.psev: truncated evidence file .*at byte 10\$" merge "$d/short.psev"
cp "$d/good.psev" "$d/flip.psev"
printf 'Z' | dd of="$d/flip.psev" bs=1 seek=200 conv=notrunc 2>/dev/null
expect "damaged evidence (checksum)" 65 \
    "flip.psev: .*(checksum|record|host).* at byte [0-9]+\$" \
    merge -f csv "$d/flip.psev"
if [ ! -s "$d/out" ]; then ok "nothing written from damaged evidence"; else
	bad "a report was written from damaged evidence"; fi
cp "$d/good.psev" "$d/v9.psev"
printf '\011' | dd of="$d/v9.psev" bs=1 seek=8 conv=notrunc 2>/dev/null
expect "other format version" 65 "v9.psev: evidence format version 9" \
    merge "$d/v9.psev"
cp "$d/good.psev" "$d/t0.psev"
printf '\0\0\0\0\0\0\0\0' | dd of="$d/t0.psev" bs=1 seek=16 conv=notrunc 2>/dev/null
expect "--timeout 0 in the header refused" 65 "t0.psev: --timeout of 0 at byte 16" \
    merge "$d/t0.psev"
expect "missing evidence" 66 "nope.psev: No such file" merge "$d/nope.psev"
mkdir "$d/empty"
expect "directory without evidence" 66 "no evidence files found" \
    merge "$d/empty"
"$P" --timeout 3s --emit-evidence "$d/t3.psev" "$S/s07_syn_netfw.pcap"
expect "different --timeout refused" 65 "--timeout" \
    merge "$d/good.psev" "$d/t3.psev"
"$P" --timeout 1500us --emit-evidence "$d/t15.psev" "$S/s07_syn_netfw.pcap"
expect "--timeout of a fraction of a millisecond named exactly" 65 \
    "t15.psev: made with --timeout 1500000 ns \(at byte 16\), .*good.psev wi" \
    merge "$d/good.psev" "$d/t15.psev"
# Made by hand (found by fuzz/fuzz-evidence.c): one tick, 2^63 packets and
# a trailer listing no input. Two of them: 2^64 packets, which must not
# wrap around to 0, and no inputs to copy into a merged file. The CRC-32
# is gzip's (the polynomial of zlib's crc32()).
{
	printf 'PSLTEVID\001\000\000\000\000\000\000\000'	# version 1
	printf '\000\344\013\124\002\000\000\000'	# --timeout 10 s
	printf 'T\000\312\232\073\000\000\000\000'	# tick at 1 s
	printf 'E\000\000\000\000\000\000\000\200'	# 2^63 packets
	printf '\000\000\000\000\000\000\000\000'	# bytes
	printf '\000\312\232\073\000\000\000\000%.0s' 1 2	# time span
	printf '\001\000\000\000\000\000\000\000\000\000'	# captures 1; inputs 0
} >"$d/big.body"
{
	cat "$d/big.body"
	printf '\041\000\000\000\000\000\000\000'		# trailer at 33
	gzip -c <"$d/big.body" | tail -c 8 | head -c 4
	printf 'PSEN'
} >"$d/big1.psev"
cp "$d/big1.psev" "$d/big2.psev"
set +e
"$P" merge -f json "$d/big1.psev" "$d/big2.psev" >"$d/out" 2>"$d/err"
st=$?
"$P" merge --emit-evidence "$d/big.psev" "$d/big1.psev" "$d/big2.psev" \
    2>>"$d/err" && "$P" merge -f json "$d/big.psev" >"$d/out2" 2>>"$d/err"
st2=$?
set -e
if [ "$st" = 0 ] && [ "$st2" = 0 ] && [ ! -s "$d/err" ] &&
    grep -q '"captures":2,"packets":18446744073709551615,' "$d/out" &&
    cmp -s "$d/out" "$d/out2"; then
	ok "packet counts of merged trailers saturate; trailers without inputs"
else
	bad "2 x 2^63 packets: status $st/$st2, $(grep -o '"packets":[0-9]*' \
	    "$d/out"), stderr: $(head -2 "$d/err")"
fi
expect "merge --filter refused" 64 "apply when evidence is made" \
    merge --filter tcp "$d/good.psev"
expect "merge needs files" 64 "merge needs evidence files" merge
expect "--emit-evidence with -o refused" 64 "instead of a report" \
    --emit-evidence "$d/x.psev" -o "$d/x.csv" "$S/s01_syn_hostfw.pcap"
expect "--emit-evidence into a missing directory" 73 "nodir/x.psev" \
    --emit-evidence "$d/nodir/x.psev" "$S/s01_syn_hostfw.pcap"
expect "--emit-evidence, nothing readable" 66 "nothing.pcap" \
    --emit-evidence "$d/n.psev" "$d/nothing.pcap"
if [ ! -e "$d/n.psev" ]; then ok "no evidence file when nothing was read"
else bad "evidence file left behind"; fi
"$P" --emit-evidence "$d/partial.psev" "$S/s01_syn_hostfw.pcap" \
    "$d/garbage.psev" 2>/dev/null && st=0 || st=$?
if [ "$st" = 65 ]; then ok "emit with an unreadable input: 65"; else
	bad "emit with an unreadable input: $st"; fi
set +e
"$P" merge -f json "$d/partial.psev" >"$d/out" 2>/dev/null
st=$?
set -e
if [ "$st" = 65 ] && grep -q '"partial":true' "$d/out"; then
	ok "partial evidence stays partial after merge"
else
	bad "partial evidence after merge: status $st"
fi

finish
