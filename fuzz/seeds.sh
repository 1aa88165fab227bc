#!/bin/sh
# seeds.sh -- fill the seed corpora of the fuzzing harnesses.
#
#   fuzz/seeds.sh CORPUS_DIR [PCAP_SPLIT]
#
# Makes CORPUS_DIR/capture (whole captures: samples/*.pcap*, samples/edge,
# samples/split, ../shared/real-captures/**, plus the first 64 records of the
# large ones), CORPUS_DIR/packet (single frames with the link-type byte of
# fuzz-packet.c, at most 64 per capture), CORPUS_DIR/rules (rules/*.rules,
# each of their rules on its own, and small snippets of every scope and
# outcome), CORPUS_DIR/baseline (samples/*.truth.csv, tests/e2e CSV,
# ../shared/captures/*.nmap.xml, policy snippets; run-fuzz.sh adds
# portsleuth's own XML and CSV), CORPUS_DIR/zio (samples/compressed;
# run-fuzz.sh has fuzz-zio add its own, and fuzz-merge fill
# CORPUS_DIR/merge) and CORPUS_DIR/evidence (evidence files of the sample
# captures made with `portsleuth --emit-evidence`, in each input mode of
# fuzz-evidence.c, alone and as the split captures' sets, plus merged
# ones). Existing files are kept, so a corpus grown by earlier runs stays.
#
# PCAP_SPLIT is the helper built from fuzz/pcap-split.c; without it the
# script builds one with $CC (default cc) and libpcap. Needs only sh, awk,
# od, dd, head, tail and a C compiler. Environment: SRCDIR (default: this
# script's ..), PORTSLEUTH (the built binary, for the evidence seeds;
# default: $SRCDIR/analyzer/portsleuth; missing: no evidence seeds),
# REAL_CAPTURES (default: $SRCDIR/../shared/real-captures), NMAP_XML
# (default: $SRCDIR/../shared/captures).
set -eu

usage() {
	echo "usage: $0 CORPUS_DIR [PCAP_SPLIT]" >&2
	exit 64
}
[ $# -ge 1 ] || usage
CORPUS=$1
HELPER=${2:-}
SRCDIR=${SRCDIR:-$(cd "$(dirname "$0")/.." && pwd)}
REAL=${REAL_CAPTURES:-$SRCDIR/../shared/real-captures}
NMAP_XML=${NMAP_XML:-$SRCDIR/../shared/captures}
PORTSLEUTH=${PORTSLEUTH:-$SRCDIR/analyzer/portsleuth}
FRAMES_PER_CAPTURE=64

mkdir -p "$CORPUS/capture" "$CORPUS/packet" "$CORPUS/rules" \
    "$CORPUS/baseline" "$CORPUS/zio" "$CORPUS/merge" "$CORPUS/evidence"

if [ -z "$HELPER" ]; then
	HELPER=$CORPUS/pcap-split
	# shellcheck disable=SC2046
	${CC:-cc} -O1 -o "$HELPER" "$SRCDIR/fuzz/pcap-split.c" \
	    $(pkg-config --cflags libpcap 2>/dev/null || true) \
	    $(pkg-config --libs libpcap 2>/dev/null || echo -lpcap)
fi

# ---- captures ----
list=$CORPUS/.captures
: >"$list"
for f in "$SRCDIR"/samples/*.pcap* "$SRCDIR"/samples/edge/*.pcap* \
    "$SRCDIR"/samples/split/*.pcap*; do
	[ -f "$f" ] && echo "$f" >>"$list"
done
if [ -d "$REAL" ]; then
	find "$REAL" -type f -name '*.pcap*' | sort >>"$list"
fi
n=0
while IFS= read -r f; do
	# Distinct names: edge/ and real-captures/ share file names.
	name=$(basename "$(dirname "$f")")-$(basename "$f")
	cp -f "$f" "$CORPUS/capture/$name"
	chmod u+w "$CORPUS/capture/$name"
	# Large captures also as their first records (fast to mutate), and
	# every capture as single frames for fuzz-packet.
	"$HELPER" -c "$CORPUS/capture" "$FRAMES_PER_CAPTURE" "$f" \
	    2>/dev/null || true
	"$HELPER" -p "$CORPUS/packet" "$FRAMES_PER_CAPTURE" "$f" \
	    2>/dev/null || true
	# Classic pcap: also a copy asking fuzz-capture for its smallest
	# tables (bit 0 of sigfigs, byte 12, which libpcap ignores).
	case $(od -An -tx1 -N4 "$f" | tr -d ' \n') in
	a1b2c3d4|d4c3b2a1|a1b23c4d|4d3cb2a1)
		cp -f "$f" "$CORPUS/capture/tiny-$name"
		chmod u+w "$CORPUS/capture/tiny-$name"
		printf '\001' | dd of="$CORPUS/capture/tiny-$name" bs=1 seek=12 \
		    conv=notrunc 2>/dev/null
		;;
	esac
	n=$((n + 1))
done <"$list"
rm -f "$list"

# ---- compressed files (fuzz-zio; the harness adds its own) ----
for f in "$SRCDIR"/samples/compressed/*; do
	case $f in *.md) continue ;; esac
	[ -f "$f" ] || continue
	cp -f "$f" "$CORPUS/zio/$(basename "$f")"
	chmod u+w "$CORPUS/zio/$(basename "$f")"
done

# ---- rules ----
for f in "$SRCDIR"/rules/*.rules; do
	[ -f "$f" ] || continue
	cp -f "$f" "$CORPUS/rules/$(basename "$f")"
	# One file per rule: from "rule NAME {" to the "}" line closing it.
	awk -v out="$CORPUS/rules/one-$(basename "$f" .rules)" '
		/^rule[ \t]/ { n++; file = sprintf("%s-%03d", out, n) }
		file != "" { print > file }
		/^}/ && file != "" { close(file); file = "" }
	' "$f"
done
snippet() {
	cat >"$CORPUS/rules/snippet-$1"
}
snippet reply-label <<'R'
rule r1 {
	scope reply;
	priority 5;
	when probe == syn and reply == syn-ack and window > 0;
	label open reason syn-ack rank 2;
}
R
snippet reply-icmp <<'R'
rule r2 { scope reply; when reply == icmp and icmp.type == 3 and
    icmp.code in (1, 2, 3, 9, 10, 13) and not icmp.v6; label filtered
    reason "host-prohibited"; }
R
snippet port-finding <<'R'
rule f1 {
	scope port;
	when abs(reply.hops - host.hops) >= 2 || -(1 + 2) * 3 % 4 / 5 != 0;
	finding odd-ttl severity low message "{count} ports {ports} on {host}: \"{reply.ttl}\"\n\t\u00e9";
}
R
snippet port-hide <<'R'
rule h1 { scope port; when proto == tcp and min(1, 2) < max(3, 4); hide; }
R
snippet host <<'R'
# comment
rule host1 { scope host; when true; finding h severity info message "{host}"; }
R
snippet path <<'R'
rule p1 { scope path; finding p severity medium message "{path.source} {path.target}"; }
R
snippet capture <<'R'
rule c1 { scope capture; when false or !true && 1 <= 2; finding c severity high message "x"; }
R
snippet when-first <<'R'
rule w { when 1 == 1; scope capture; finding w severity info message ""; }
R
snippet numbers <<'R'
rule n { scope capture; when 1e308 * 10 > 0.000001 and -0 == 0 and 0x10 != 1.5e-3; finding n severity info message "{n}"; }
R
printf 'rule x {\n\tscope port;\n\twhen ((((((((((1))))))))));\n\thide;\n}\n' \
    >"$CORPUS/rules/snippet-nesting"
printf 'rule \xc3\xa9 { scope port; hide; }\n' >"$CORPUS/rules/snippet-utf8"
printf 'rule a { scope port; hide; }\nrule a { scope host; hide; }\n' \
    >"$CORPUS/rules/snippet-duplicate"

# ---- baselines ----
for f in "$SRCDIR"/samples/*.truth.csv "$SRCDIR"/tests/e2e/*csv.expected \
    "$NMAP_XML"/*.xml; do
	[ -f "$f" ] || continue
	cp -f "$f" "$CORPUS/baseline/$(basename "$f")"
	chmod u+w "$CORPUS/baseline/$(basename "$f")"
done
bsnippet() {
	cat >"$CORPUS/baseline/snippet-$1"
}
bsnippet policy <<'B'
host,proto,port,allowed
192.0.2.0/24,tcp,22,open
192.0.2.7,tcp,80-443,open closed
2001:db8::/32,udp,*,closed;filtered
*,*,*,closed|filtered filtered
B
bsnippet result-quoted <<'B'
"host","proto","port","state","reason",extra
"192.0.2.1",tcp,22,"open|filtered","no-response",""
::ffff:192.0.2.2,udp,53,open,udp-response,"a ""quoted"" cell"
B
bsnippet xml-min <<'B'
<?xml version="1.0"?>
<nmaprun><host><address addr="192.0.2.9" addrtype="ipv4"/>
<ports><extraports state="filtered" count="3"><extrareasons reason="no-response" count="3" ports="1-2,5"/></extraports>
<port protocol="tcp" portid="22"><state state="open" reason="syn-ack" reason_ttl="64"/></port></ports></host></nmaprun>
B

# ---- evidence files (fuzz-evidence) ----
# An input is a 6-byte prefix (options, options, two little-endian cut
# offsets) and the bytes of 1-3 files; byte 0 bits 2-3 say whether they
# are whole files (0), files without the footer (1), records only (2) or
# header and records (3) -- see fuzz-evidence.c.
EV=$CORPUS/.evidence
le16() {
	printf "\\$(printf %03o $(($1 & 255)))"
	printf "\\$(printf %03o $(($1 >> 8 & 255)))"
}
# ev_seed NAME OPT OPT2 CUT1 CUT2 FILE...
ev_seed() {
	_name=$1 _o=$2 _o2=$3 _c1=$4 _c2=$5
	shift 5
	{
		printf "\\$(printf %03o "$_o")\\$(printf %03o "$_o2")"
		le16 "$_c1"
		le16 "$_c2"
		cat "$@"
	} >"$CORPUS/evidence/$_name"
}
size_of() {
	wc -c <"$1" | tr -d ' '
}
# Offset of the trailer: the footer's first 8 bytes, little-endian.
trailer_of() {
	od -An -tu1 -j $(($(size_of "$1") - 16)) -N8 "$1" |
	    awk '{ v = 0; for (i = NF; i >= 1; i--) v = v * 256 + $i; print v }'
}
# The parts of one evidence file: .nofooter, .body (records), .hdrbody.
ev_parts() {
	_s=$(size_of "$1")
	_t=$(trailer_of "$1")
	head -c $((_s - 16)) "$1" >"$1.nofooter"
	head -c "$_t" "$1" >"$1.hdrbody"
	tail -c +25 "$1.hdrbody" >"$1.body"
}
if [ -x "$PORTSLEUTH" ]; then
	rm -rf "$EV"
	mkdir -p "$EV"
	for f in "$SRCDIR"/samples/*.pcap* "$SRCDIR"/samples/split/*.pcap*; do
		[ -f "$f" ] || continue
		e=$EV/$(basename "$f").psev
		PORTSLEUTH_RULES_DIR="$SRCDIR/rules" "$PORTSLEUTH" \
		    --emit-evidence "$e" "$f" 2>/dev/null || continue
		[ "$(size_of "$e")" -le 60000 ] || { rm -f "$e"; continue; }
		ev_parts "$e"
		b=ev-$(basename "$f")
		ev_seed "$b" 0 0 0 0 "$e"
		ev_seed "$b-nofooter" 4 0 0 0 "$e.nofooter"
		ev_seed "$b-body" 8 0 0 0 "$e.body"
		ev_seed "$b-hdrbody" 12 0 0 0 "$e.hdrbody"
	done
	s01=$EV/s01_syn_hostfw.pcap.psev
	s07=$EV/s07_syn_netfw.pcap.psev
	p1=$EV/s01_part1.pcap.psev
	p2=$EV/s01_part2.pcap.psev
	q1=$EV/s17_part1.pcap.psev
	q2=$EV/s17_part2.pcap.psev
	q3=$EV/s17_part3.pcap.psev
	if [ -f "$s01" ] && [ -f "$s07" ]; then
		# Trailers: extreme counters, odd inputs; every timeout; small
		# tables; the first file given twice.
		ev_seed ev-s01-extreme 200 0 0 0 "$s01.body"
		ev_seed ev-s01-timeout0 24 0 0 0 "$s01.body"
		ev_seed ev-s01-timeout7 40 0 0 0 "$s01.body"
		ev_seed ev-s01-timeoutmax 56 0 0 0 "$s01.body"
		ev_seed ev-s01-tiny 0 1 0 0 "$s01"
		a=$(size_of "$s01")
		ev_seed ev-s01-s07-dup 3 0 "$a" $((a + $(size_of "$s07"))) \
		    "$s01" "$s07" "$s01"
		ev_seed ev-s01-s07-body 9 0 "$(size_of "$s01.body")" 0 \
		    "$s01.body" "$s07.body"
		PORTSLEUTH_RULES_DIR="$SRCDIR/rules" "$PORTSLEUTH" merge \
		    --emit-evidence "$EV/m.psev" "$s01" "$s07" 2>/dev/null &&
		    ev_seed ev-merged-s01-s07 0 0 0 0 "$EV/m.psev"
	fi
	if [ -f "$p1" ] && [ -f "$p2" ]; then
		ev_seed ev-s01-parts 1 0 "$(size_of "$p2")" 0 "$p2" "$p1"
		ev_seed ev-s01-parts-nofooter 5 0 "$(size_of "$p1.nofooter")" \
		    0 "$p1.nofooter" "$p2.nofooter"
		ev_seed ev-s01-parts-body 9 0 "$(size_of "$p2.body")" 0 \
		    "$p2.body" "$p1.body"
		ev_seed ev-s01-parts-hdrbody 13 1 "$(size_of "$p1.hdrbody")" \
		    0 "$p1.hdrbody" "$p2.hdrbody"
		PORTSLEUTH_RULES_DIR="$SRCDIR/rules" "$PORTSLEUTH" merge \
		    --emit-evidence "$EV/m.psev" "$p1" "$p2" 2>/dev/null &&
		    ev_seed ev-merged-s01-parts 0 0 0 0 "$EV/m.psev"
	fi
	if [ -f "$q1" ] && [ -f "$q2" ] && [ -f "$q3" ]; then
		a=$(size_of "$q3.body")
		ev_seed ev-s17-parts-body 10 0 "$a" \
		    $((a + $(size_of "$q1.body"))) \
		    "$q3.body" "$q1.body" "$q2.body"
		a=$(size_of "$q1.nofooter")
		ev_seed ev-s17-parts-nofooter 6 0 \
		    $((a + $(size_of "$q2.nofooter"))) "$a" \
		    "$q1.nofooter" "$q2.nofooter" "$q3.nofooter"
		a=$(size_of "$q2")
		ev_seed ev-s17-parts 2 0 "$a" $((a + $(size_of "$q1"))) \
		    "$q2" "$q1" "$q3"
		PORTSLEUTH_RULES_DIR="$SRCDIR/rules" "$PORTSLEUTH" merge \
		    --emit-evidence "$EV/m.psev" "$q1" "$q2" "$q3" \
		    2>/dev/null && {
			ev_parts "$EV/m.psev"
			ev_seed ev-merged-s17-parts 0 0 0 0 "$EV/m.psev"
			ev_seed ev-merged-s17-parts-body 8 0 0 0 \
			    "$EV/m.psev.body"
			ev_seed ev-merged-s17-parts-and-p1 5 0 \
			    "$(size_of "$EV/m.psev.nofooter")" 0 \
			    "$EV/m.psev.nofooter" "$q1.nofooter"
		}
	fi
	rm -rf "$EV"
else
	echo "seeds: no $PORTSLEUTH: no evidence seeds (build portsleuth)" >&2
fi

echo "seeds: $n captures read; corpus $CORPUS now holds" \
    "$(find "$CORPUS/capture" -type f | wc -l) captures," \
    "$(find "$CORPUS/packet" -type f | wc -l) frames," \
    "$(find "$CORPUS/rules" -type f | wc -l) rule files," \
    "$(find "$CORPUS/baseline" -type f | wc -l) baselines," \
    "$(find "$CORPUS/zio" -type f | wc -l) compressed files," \
    "$(find "$CORPUS/evidence" -type f | wc -l) evidence inputs"
