#!/bin/sh
# End-to-end tests: run the real binary on the captures in samples/ and
# check verdicts against nmap's (samples/*.truth.csv), golden outputs
# (tests/e2e/*.expected), exit statuses and error messages.
# Environment (set by make check): PORTSLEUTH, SRCDIR.
set -eu
LC_ALL=C
export LC_ALL
: "${SRCDIR:=$(cd "$(dirname "$0")/.." && pwd)}"
: "${PORTSLEUTH:=$SRCDIR/analyzer/portsleuth}"
PORTSLEUTH_RULES_DIR="$SRCDIR/rules"
export PORTSLEUTH_RULES_DIR
S="$SRCDIR/samples"
E="$SRCDIR/tests/e2e"
T=$(mktemp -d "${TMPDIR:-/tmp}/ps-e2e.XXXXXX")
trap 'rm -rf "$T"' EXIT INT TERM
pass=0
fail=0

ok() { pass=$((pass + 1)); echo "ok: $1"; }
bad() { fail=$((fail + 1)); echo "FAIL: $1"; }

# run NAME EXPECTED-STATUS ARGS... : stdout in $T/out, stderr in $T/err
run() {
	_rn=$1 _rw=$2
	shift 2
	set +e
	"$PORTSLEUTH" "$@" >"$T/out" 2>"$T/err"
	_rs=$?
	set -e
	if [ "$_rs" -ge 128 ] || grep -q 'Sanitizer\|runtime error' "$T/err"; then
		bad "$_rn: crashed or sanitizer report (status $_rs)"
		sed 's/^/    /' "$T/err" | head -20
		return 1
	fi
	if [ "$_rs" != "$_rw" ]; then
		bad "$_rn: exit status $_rs, expected $_rw"
		sed 's/^/    /' "$T/err" | head -5
		return 1
	fi
	return 0
}

# expect_err NAME REGEX: stderr has one line matching REGEX
expect_err() {
	if grep -Eq "$2" "$T/err"; then ok "$1"; else
		bad "$1: stderr lacks /$2/"
		sed 's/^/    /' "$T/err" | head -5
	fi
}

# 1. Verdicts against nmap's own, capture by capture. Known, proven
# disagreements with nmap are listed in tests/e2e/truth-exceptions.
for truth in "$S"/*.truth.csv; do
	base=$(basename "$truth" .truth.csv)
	cap="$S/$base.pcap"
	[ -f "$cap" ] || cap="$S/$base.pcapng"
	run "truth $base" 0 -f csv "$cap" || continue
	cut -d, -f1-5 "$T/out" | sort >"$T/got"
	grep -v '^host,' "$truth" | tr -d '\r' | sort >"$T/want"
	grep "^$base " "$E/truth-exceptions" 2>/dev/null |
	    cut -d' ' -f2- >"$T/exc" || true
	miss=$(awk -F, -v exc="$T/exc" '
	    BEGIN { while ((getline l < exc) > 0) skip[l] = 1 }
	    NR == FNR { got[$1 "," $2 "," $3] = $4 "," $5; next }
	    {
		k = $1 "," $2 "," $3
		if (k in skip) next
		if (got[k] != $4 "," $5)
			printf "%s want %s,%s got %s; ", k, $4, $5, got[k]
	    }' "$T/got" "$T/want")
	if [ -z "$miss" ]; then ok "truth $base"; else bad "truth $base: $miss"; fi
done

# 2. Golden outputs in every format (tests/e2e/TESTLIST: name capture args).
while read -r name cap args; do
	case "$name" in ''|'#'*) continue ;; esac
	# shellcheck disable=SC2086
	run "golden $name" 0 $args "$S/$cap" || continue
	if diff -u "$E/$name.expected" "$T/out" >"$T/diff"; then
		ok "golden $name"
	else
		bad "golden $name"
		head -30 "$T/diff" | sed 's/^/    /'
	fi
done <"$E/TESTLIST"

# 3. Findings, capture by capture: exactly the expected (id, host, source)
# sets (tests/e2e/findings.expected), so a missing finding and an
# unexpected one both fail.
for name in $(cut -d' ' -f1 "$E/findings.expected" | sort -u); do
	cap="$S/$name.pcap"
	[ -f "$cap" ] || cap="$S/$name.pcapng"
	run "findings $name" 0 -f json "$cap" || continue
	grep '"type":"finding"' "$T/out" | sed -E \
	    's/.*"id":"([^"]*)","severity":"[^"]*","host":("([^"]*)"|null)(,"source":"([^"]*)")?.*/\1 \3 \5/' |
	    sed 's/ *$//' | sort >"$T/got"
	grep "^$name " "$E/findings.expected" | cut -d' ' -f2- | sort >"$T/want"
	if cmp -s "$T/got" "$T/want"; then ok "findings $name"; else
		bad "findings $name: $(diff "$T/want" "$T/got" | grep '^[<>]' | tr '\n' ';')"
	fi
done

# 4. Input handling.
run "stdin" 0 -f csv - <"$S/s07_syn_netfw.pcap" && cp "$T/out" "$T/stdin"
run "file" 0 -f csv "$S/s07_syn_netfw.pcap" &&
    if cmp -s "$T/out" "$T/stdin"; then ok "stdin equals file"; else
	bad "stdin output differs from file output"; fi
run "split" 0 -f csv "$S/split/s01_part2.pcap" "$S/split/s01_part1.pcap" &&
    cp "$T/out" "$T/split"
run "whole" 0 -f csv "$S/s01_syn_hostfw.pcap" &&
    if cmp -s "$T/out" "$T/split"; then ok "rotated files merge by time"
    else bad "split capture differs from whole"; fi
run "filter" 0 -f csv --filter 'tcp port 22 or tcp port 21' \
    "$S/s01_syn_hostfw.pcap" &&
    if [ "$(grep -c . "$T/out")" = 3 ] && grep -q ',tcp,22,open,syn-ack,' "$T/out"
    then ok "BPF filter"; else bad "BPF filter: $(cat "$T/out")"; fi
run "output file" 0 -f json -o "$T/o.json" "$S/s05_udp_hostfw.pcap" &&
    if [ ! -s "$T/out" ] && grep -q '"type":"summary"' "$T/o.json"; then
	ok "-o writes the file, not stdout"; else bad "-o"; fi

# 5. Errors: one line naming the file, documented status.
run "missing" 66 "$T/nonexistent.pcap" &&
    expect_err "missing file" "nonexistent.pcap: No such file"
printf 'this is not a capture\n' >"$T/garbage.pcap"
run "garbage" 65 "$T/garbage.pcap" &&
    expect_err "garbage file" "garbage.pcap: not a readable pcap"
: >"$T/empty.pcap"
run "empty" 65 "$T/empty.pcap" && expect_err "empty file" "empty.pcap: "
run "directory" 65 "$T" && expect_err "directory" "$T"
run "linktype" 65 "$S/edge/tcpdump-unsupported-link-type-160.pcap" &&
    expect_err "unsupported link type" "unsupported link type 160"
head -c 3000 "$S/s01_syn_hostfw.pcap" >"$T/trunc.pcap"
run "truncated" 65 -f csv "$T/trunc.pcap" &&
    expect_err "truncated capture" "trunc.pcap: packet [0-9]+: read error near byte offset [0-9]+" &&
    if grep -q '^192.0.2.192,tcp,' "$T/out"; then ok "truncated: partial rows"
    else bad "truncated: no rows for what was read"; fi
run "bad option" 64 --bogus x && expect_err "bad option" "try 'portsleuth --help'"
run "no input" 64 && expect_err "no input" "no capture file"
run "bad format" 64 -f xml "$S/s01_syn_hostfw.pcap" &&
    expect_err "bad format" "unknown output format 'xml'"
run "bad filter" 64 --filter 'tcp port' "$S/s01_syn_hostfw.pcap" &&
    expect_err "bad filter" "bad filter"
run "bad timeout" 64 --timeout 5parsecs x && expect_err "bad timeout" "bad --timeout"
printf 'rule x {\n\tscope reply;\n\twhen probe == bogus;\n\tlabel open reason syn-ack;\n}\n' >"$T/bad.rules"
run "bad rules" 78 --rules "$T/bad.rules" "$S/s01_syn_hostfw.pcap" &&
    expect_err "bad rule file" "bad.rules:3:[0-9]+: "
run "check-rules bad" 78 --check-rules "$T/bad.rules" &&
    expect_err "check-rules reports" "bad.rules:3:[0-9]+: "
run "check-rules good" 0 --check-rules "$SRCDIR/rules/states.rules" && ok "check-rules good"
run "unwritable output" 73 -o "$T/no/such/dir/out" "$S/s01_syn_hostfw.pcap" &&
    expect_err "cannot create output" "no/such/dir/out"
if [ -w /dev/full ]; then
	run "write error" 74 -o /dev/full "$S/s10_ips_synack_all.pcap" &&
	    expect_err "write error" "write error"
fi

# 6. User rules change verdicts: relabel SYN no-response as closed|filtered.
cat >"$T/user.rules" <<'RULES'
rule no-response-filtered {
	scope reply;
	when reply == none;
	label "closed|filtered" reason no-response rank 30;
}
RULES
run "user rules" 0 -f csv --rules "$T/user.rules" "$S/s01_syn_hostfw.pcap" &&
    if grep -q ',tcp,8000,closed|filtered,no-response,' "$T/out"; then
	ok "user rule overrides by name"; else bad "user rule override"; fi

# A user's own finding rule, capture-wide, next to the defaults.
cat >"$T/mine.rules" <<'RULES'
rule stray-synacks {
	scope capture;
	when capture.unsolicited_synack >= 100 and capture.unsolicited_sources >= 10;
	finding stray-synacks severity low message
	    "{capture.unsolicited_synack} SYN-ACKs from {capture.unsolicited_sources} sources answered nothing";
}
RULES
run "user finding" 0 -f json --rules "$T/mine.rules" "$S/s11_backscatter.pcap" &&
    if grep -q '"id":"stray-synacks","severity":"low","host":null,.*"message":"187 SYN-ACKs from 33 sources answered nothing"' "$T/out"
    then ok "user finding rule"; else bad "user finding rule: $(grep stray "$T/out")"; fi
run "list-evidence" 0 --list-evidence &&
    if grep -q '^scope port:' "$T/out" && grep -q 'host.synack_share' "$T/out"
    then ok "list-evidence"; else bad "list-evidence"; fi

# 7. --explain: the probes and replies behind one port's verdict.
run "explain" 0 --explain=192.0.2.206:8000 "$S/s17_state_change.pcap" &&
    if grep -q '^192.0.2.206 tcp/8000 (probed by 192.0.2.161): filtered no-response' "$T/out" &&
	grep -q 'connect probes: filtered no-response by rule no-response-filtered' "$T/out" &&
	grep -q '1#61 .* reply   192.0.2.206:8000 > 40042 RA ttl 64' "$T/out" &&
	[ "$(grep -c ' retry ' "$T/out")" -ge 8 ] &&
	! grep -q 'tcp/143' "$T/out"
    then ok "explain one port"; else bad "explain: $(head -5 "$T/out")"; fi
run "explain bad" 64 --explain=not-an-address "$S/s17_state_change.pcap" &&
    expect_err "explain bad filter" "bad --explain"

# 8. Robustness: every edge-case capture runs without a crash.
for f in "$S"/edge/*.pcap "$S"/edge/*.pcapng; do
	set +e
	"$PORTSLEUTH" -f json "$f" >"$T/out" 2>"$T/err"
	st=$?
	set -e
	case $st in
	0|65) if grep -q 'Sanitizer\|runtime error' "$T/err"; then
		bad "edge $(basename "$f"): sanitizer report"; else
		ok "edge $(basename "$f") (status $st)"; fi ;;
	*) bad "edge $(basename "$f"): status $st"; sed 's/^/    /' "$T/err" | head -5 ;;
	esac
done

echo "$pass passed, $fail failed"
[ "$fail" -eq 0 ]
