#!/bin/sh
# End-to-end tests: run the real binary on the captures in samples/ and
# check verdicts against nmap's (samples/*.truth.csv), golden outputs
# (tests/e2e/*.expected), exit statuses and error messages.
# Environment (set by make check): PORTSLEUTH, SRCDIR; VALGRIND, when set
# (e.g. "valgrind -q --error-exitcode=99 --leak-check=full"), runs every
# invocation under it, and any error or leak fails that test.
TEST_NAME=e2e
. "${SRCDIR:-$(dirname "$0")/..}/tests/lib.sh"
E="$SRCDIR/tests/e2e"

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
    err_has "missing file" "nonexistent.pcap: No such file"
printf 'this is not a capture\n' >"$T/garbage.pcap"
run "garbage" 65 "$T/garbage.pcap" &&
    err_has "garbage file" "garbage.pcap: not a readable pcap"
: >"$T/empty.pcap"
run "empty" 65 "$T/empty.pcap" && err_has "empty file" "empty.pcap: "
mkdir "$T/nocap" && printf 'x\n' >"$T/nocap/notes.txt"
run "directory without captures" 66 "$T/nocap" &&
    err_has "directory without captures" "no capture files found"
run "linktype" 65 "$S/edge/tcpdump-unsupported-link-type-160.pcap" &&
    err_has "unsupported link type" "unsupported link type 160"
head -c 3000 "$S/s01_syn_hostfw.pcap" >"$T/trunc.pcap"
run "truncated" 65 -f csv "$T/trunc.pcap" &&
    err_has "truncated capture" "trunc.pcap: packet [0-9]+: read error near byte offset [0-9]+" &&
    if grep -q '^192.0.2.192,tcp,' "$T/out"; then ok "truncated: partial rows"
    else bad "truncated: no rows for what was read"; fi
run "bad option" 64 --bogus x && err_has "bad option" "try 'portsleuth --help'"
run "no input" 64 && err_has "no input" "no capture file"
run "bad format" 64 -f yaml "$S/s01_syn_hostfw.pcap" &&
    err_has "bad format" "unknown output format 'yaml'"
run "bad filter" 64 --filter 'tcp port' "$S/s01_syn_hostfw.pcap" &&
    err_has "bad filter" "bad filter"
run "bad timeout" 64 --timeout 5parsecs x && err_has "bad timeout" "bad --timeout"
printf 'rule x {\n\tscope reply;\n\twhen probe == bogus;\n\tlabel open reason syn-ack;\n}\n' >"$T/bad.rules"
run "bad rules" 78 --rules "$T/bad.rules" "$S/s01_syn_hostfw.pcap" &&
    err_has "bad rule file" "bad.rules:3:[0-9]+: "
run "check-rules bad" 78 --check-rules "$T/bad.rules" &&
    err_has "check-rules reports" "bad.rules:3:[0-9]+: "
run "check-rules good" 0 --check-rules "$SRCDIR/rules/states.rules" && ok "check-rules good"
run "unwritable output" 73 -o "$T/no/such/dir/out" "$S/s01_syn_hostfw.pcap" &&
    err_has "cannot create output" "no/such/dir/out"
if [ -w /dev/full ]; then
	run "write error" 74 -o /dev/full "$S/s10_ips_synack_all.pcap" &&
	    err_has "write error" "write error"
fi

# A reader that goes away (| head) ends the run quietly.
( _st=0; "$PORTSLEUTH" -f json "$S/s10_ips_synack_all.pcap" 2>"$T/perr" || _st=$?
  echo "$_st" >"$T/pst" ) |
    head -1 >/dev/null
if [ ! -s "$T/perr" ] && { [ "$(cat "$T/pst")" = 141 ] || [ "$(cat "$T/pst")" = 0 ]; }
then ok "closed pipe: quiet"; else bad "closed pipe: status $(cat "$T/pst"), $(head -2 "$T/perr")"; fi

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
    err_has "explain bad filter" "bad --explain"

# 8. Archives: directory trees, path lists, one report per file, threads.
A="$T/archive"
mkdir -p "$A/day1/eth0" "$A/day2"
cp "$S/s01_syn_hostfw.pcap" "$A/day1/eth0/a.pcap"
cp "$S/s05_udp_hostfw.pcap" "$A/day1/b.cap"
cp "$S/s07_syn_netfw.pcap" "$A/day2/c"
printf 'not a capture\n' >"$A/day2/notes.txt"
run "archive dir" 0 -f csv --per-file "$A" &&
    if [ "$(grep -c '^host,' "$T/out")" = 1 ] &&
	grep -q '/day1/eth0/a.pcap$' "$T/out" &&
	grep -q '/day1/b.cap$' "$T/out" && grep -q '/day2/c$' "$T/out" &&
	[ "$(grep -c . "$T/out")" = $((1 + 26 + 48 + 25)) ]
    then ok "directory walked, captures by content, one header"
    else bad "archive dir: $(head -3 "$T/out")"; fi
cp "$T/out" "$T/j1"
run "archive -j 2" 0 -f csv --per-file -j 2 "$A" &&
    if cmp -s "$T/out" "$T/j1"; then ok "-j 2 output equals -j 1"
    else bad "-j 2 differs from -j 1"; fi
if [ -z "${VALGRIND:-}" ]; then	# valgrind needs $TMPDIR itself
	old_tmpdir=${TMPDIR-}
	export TMPDIR="$T/no-such-dir"
	run "archive -j 2, no temporary files" 0 -f csv --per-file -j 2 "$A" &&
	    if cmp -s "$T/out" "$T/j1"; then ok "-j 2 formats on the main thread without \$TMPDIR"
	    else bad "-j 2 without \$TMPDIR differs from -j 1"; fi
	if [ -n "$old_tmpdir" ]; then TMPDIR=$old_tmpdir; else unset TMPDIR; fi
fi
if [ -w /dev/full ]; then
	run "archive -j 2, write error" 74 -f csv --per-file -j 2 -o /dev/full "$A" &&
	    err_has "-j 2 write error" "/dev/full"
fi
run "archive json -j 2" 0 -f json --per-file -j 2 "$A" && cp "$T/out" "$T/jj2"
run "archive json -j 1" 0 -f json --per-file -j 1 "$A" &&
    if cmp -s "$T/out" "$T/jj2" && grep -q '"type":"summary","capture":"' "$T/out"
    then ok "JSON per file, -j 2 = -j 1"; else bad "JSON per file"; fi
find "$A" -type f ! -name '*.txt' | sort >"$T/list"
run "files-from" 0 -f csv --per-file --files-from "$T/list" &&
    if cmp -s "$T/out" "$T/j1"; then ok "--files-from equals the directory"
    else bad "--files-from differs"; fi
run "files-from stdin" 0 -f csv --per-file --files-from - <"$T/list" &&
    if cmp -s "$T/out" "$T/j1"; then ok "--files-from -"; else bad "--files-from -"; fi
{ cat "$T/list"; echo "$A/gone.pcap"; echo "$A"; } >"$T/list2"
run "files-from with a missing file" 65 -f csv --per-file --files-from "$T/list2" &&
    err_has "missing listed file named" "gone.pcap: No such file" &&
    if grep -q '/day2/c$' "$T/out"; then ok "missing file: rest processed"
    else bad "missing file: rest missing"; fi
run "merged archive" 0 -f csv "$A" &&
    if [ "$(grep -c . "$T/out")" = $((1 + 26 + 48 + 25)) ] &&
	! grep -q 'capture' "$T/out"; then ok "one merged stream"
    else bad "merged archive"; fi
head -c 3000 "$S/s01_syn_hostfw.pcap" >"$A/day2/trunc.pcap"
chmod 000 "$A/day1/b.cap"
if [ "$(id -u)" = 0 ]; then chmod 644 "$A/day1/b.cap"; fi
run "archive with bad file" 65 -f csv --per-file "$A" &&
    err_has "truncated file named" "day2/trunc.pcap: packet [0-9]+: read error" &&
    if grep -q '/day2/c$' "$T/out"; then ok "rest of archive processed"
    else bad "archive with bad file: rest missing"; fi
rm -f "$A/day2/trunc.pcap"
run "summary" 0 --summary -f text "$S/s01_syn_hostfw.pcap" &&
    if grep -q '^Summary: 1 capture(s), 62 packets' "$T/out" &&
	grep -q '^Ports: open 2, closed 10, filtered 14,' "$T/out" &&
	grep -q '^Findings: high 0, medium 2, low 0, info 0' "$T/out"
    then ok "--summary"; else bad "--summary: $(grep -A3 Summary "$T/out")"; fi

# Compressed captures, read as streams (by content, not by name).
run "plain s07" 0 -f csv "$S/s07_syn_netfw.pcap" && cp "$T/out" "$T/s07.csv"
for z in gz bz2 xz zst; do
	run "compressed $z" 0 -f csv "$S/compressed/s07.pcap.$z" &&
	    if cmp -s "$T/out" "$T/s07.csv"; then ok "$z capture = plain"
	    else bad "$z capture differs from plain"; fi
done
cp "$S/compressed/s07.pcap.xz" "$T/no-extension"
run "compressed, no name hint" 0 -f csv "$T/no-extension" &&
    if cmp -s "$T/out" "$T/s07.csv"; then ok "compression found by magic"
    else bad "compression by magic"; fi
run "compressed stdin" 0 -f csv - <"$S/compressed/s07.pcap.zst" &&
    if cmp -s "$T/out" "$T/s07.csv"; then ok "compressed stdin"
    else bad "compressed stdin"; fi
run "truncated gzip" 65 -f csv "$S/compressed/s07-truncated.pcap.gz" &&
    err_has "truncated gzip named" "s07-truncated.pcap.gz: packet [0-9]+: .*truncated gzip stream"
run "corrupt gzip" 65 -f csv "$S/compressed/s07-corrupt.pcap.gz" &&
    err_has "corrupt gzip named" "s07-corrupt.pcap.gz: packet [0-9]+: .*corrupt gzip stream"
Z="$T/zarchive"
mkdir -p "$Z/a" "$Z/b"
cp "$S/compressed/s07.pcap.gz" "$Z/a/one"
cp "$S/compressed/s07-corrupt.pcap.gz" "$Z/a/two.gz"
cp "$S/s01_syn_hostfw.pcap" "$Z/b/three.pcap"
printf 'readme\n' >"$Z/b/README"
run "archive with corrupt gzip" 65 -f csv --per-file -j 2 "$Z" &&
    err_has "corrupt member named" "a/two.gz: packet [0-9]+: .*corrupt gzip" &&
    if grep -q '/a/one$' "$T/out" && grep -q '/b/three.pcap$' "$T/out"
    then ok "rest of compressed archive processed"
    else bad "compressed archive: rest missing"; fi

# 9. Gates: --fail-on and --baseline, each exit status.
run "fail-on high, none" 0 --fail-on high "$S/s01_syn_hostfw.pcap" && ok "fail-on: below"
run "fail-on high, raised" 2 --fail-on high "$S/s08_rst_injection.pcap" && ok "fail-on: raised"
run "fail-on medium" 2 --fail-on medium "$S/s01_syn_hostfw.pcap" && ok "fail-on: at"
run "bad fail-on" 64 --fail-on severe "$S/s01_syn_hostfw.pcap" &&
    err_has "bad --fail-on" "bad --fail-on"
run "baseline csv make" 0 -f csv -o "$T/base.csv" "$S/s01_syn_hostfw.pcap"
run "baseline same" 0 --baseline "$T/base.csv" "$S/s01_syn_hostfw.pcap" &&
    if [ ! -s "$T/out" ]; then ok "baseline: no differences"
    else bad "baseline same printed: $(head -3 "$T/out")"; fi
sed 's/^192.0.2.192,tcp,8000,filtered,no-response,/192.0.2.192,tcp,8000,filtered,admin-prohibited,/; /^192.0.2.192,tcp,21,/d' \
    "$T/base.csv" >"$T/base2.csv"
echo "192.0.2.99,udp,53,open,udp-response" >>"$T/base2.csv"
run "baseline differs" 1 --baseline "$T/base2.csv" "$S/s01_syn_hostfw.pcap" &&
    if grep -qx -- '-8000/tcp filtered admin-prohibited' "$T/out" &&
	grep -qx -- '+8000/tcp filtered no-response' "$T/out" &&
	grep -qx -- '+21/tcp closed reset' "$T/out" &&
	grep -qx -- '-192.0.2.99:' "$T/out" && grep -qx -- '-53/udp open udp-response' "$T/out"
    then ok "baseline: reason change, new port, missing host"
    else bad "baseline differs: $(cat "$T/out")"; fi
run "baseline nmap xml" 0 --baseline "$S/s12_icmp_ratelimit.nmap.xml" \
    "$S/s12_icmp_ratelimit.pcap" && ok "nmap's own XML (extraports) as baseline"
run "baseline other host" 1 --baseline "$S/s01_syn_hostfw.nmap.xml" \
    "$S/s07_syn_netfw.pcap" &&
    if grep -qx -- '+192.0.2.224:' "$T/out" && grep -qx -- '-192.0.2.192:' "$T/out"
    then ok "baseline: new and missing hosts"; else bad "baseline hosts"; fi
printf 'host,proto,port,allowed\n192.0.2.0/24,tcp,22,open\n*,tcp,1-1024,closed filtered\n' >"$T/policy.csv"
run "policy" 1 --baseline "$T/policy.csv" "$S/s01_syn_hostfw.pcap" &&
    if grep -q '^+143/tcp open syn-ack (not allowed by .*policy.csv:3)$' "$T/out" &&
	[ "$(grep -c '^+' "$T/out")" = 1 ]; then ok "policy violation"
    else bad "policy: $(cat "$T/out")"; fi
printf 'host,proto,port,allowed\n10.0.0.0/33,tcp,22,open\n' >"$T/badpolicy.csv"
run "bad policy" 66 --baseline "$T/badpolicy.csv" "$S/s01_syn_hostfw.pcap" &&
    err_has "bad policy line" "badpolicy.csv:2: bad host or CIDR"

# 10. nmap tooling reads our XML: the DTD, ndiff, the stylesheet.
run "xml" 0 -f xml -o "$T/a.xml" "$S/s01_syn_hostfw.pcap" && ok "xml written"
if command -v xmllint >/dev/null && [ -r /usr/share/nmap/nmap.dtd ]; then
	if xmllint --noout --dtdvalid /usr/share/nmap/nmap.dtd "$T/a.xml" 2>"$T/err"
	then ok "xml: valid against nmap.dtd"; else bad "xml: $(head -3 "$T/err")"; fi
else echo "skip: xmllint or nmap.dtd missing"; fi
if command -v ndiff >/dev/null; then
	if ndiff "$T/a.xml" "$T/a.xml" >"$T/nd" 2>&1 && [ ! -s "$T/nd" ]
	then ok "ndiff reads our XML"; else bad "ndiff: $(tail -2 "$T/nd")"; fi
	run "xml s07" 0 -f xml -o "$T/b.xml" "$S/s07_syn_netfw.pcap"
	set +e; ndiff "$T/a.xml" "$T/b.xml" >"$T/nd" 2>&1; st=$?; set -e
	if [ "$st" = 1 ] && grep -q '^-192.0.2.192' "$T/nd"; then ok "ndiff sees the change"
	else bad "ndiff a b: status $st"; fi
else echo "skip: ndiff missing"; fi
if command -v xsltproc >/dev/null && [ -r /usr/share/nmap/nmap.xsl ]; then
	if xsltproc /usr/share/nmap/nmap.xsl "$T/a.xml" >"$T/a.html" 2>"$T/err" &&
	    grep -q '192.0.2.192' "$T/a.html"
	then ok "nmap.xsl renders our XML"; else bad "xsltproc: $(head -2 "$T/err")"; fi
else echo "skip: xsltproc or nmap.xsl missing"; fi
run "xml baseline" 0 --baseline "$T/a.xml" "$S/s01_syn_hostfw.pcap" &&
    ok "our XML as baseline"
run "grep" 0 -f grep "$S/s01_syn_hostfw.pcap" &&
    if grep -q '^Host: 192.0.2.192 ()	Ports: 21/closed/tcp//ftp///, 22/open/tcp//ssh///' "$T/out"
    then ok "grepable"; else bad "grep: $(grep Ports "$T/out" | cut -c1-120)"; fi
run "per-file xml" 64 --per-file -f xml "$S/s01_syn_hostfw.pcap" "$S/s07_syn_netfw.pcap" &&
    err_has "xml per file" "one document"

# 11. Hostile and odd captures made by tests/gen-hostile (issue #6).
if [ -n "${GEN_HOSTILE:-}" ] && [ -x "$GEN_HOSTILE" ]; then
	mkdir "$T/hostile"
	"$GEN_HOSTILE" "$T/hostile"
	for f in "$T"/hostile/*.pcap; do
		run "hostile $(basename "$f")" 0 -f csv -v "$f" &&
		    ok "hostile $(basename "$f")"
	done
	run "backwards" 0 -f csv "$T/hostile/backwards.pcap" &&
	    if grep -q '^192.0.2.9,tcp,22,open,syn-ack,' "$T/out"
	    then ok "time going backwards still pairs"; else bad "backwards"; fi
	run "duplicates" 0 -f csv "$T/hostile/duplicates.pcap" &&
	    if grep -q '^192.0.2.9,tcp,80,closed,reset,' "$T/out" &&
		[ "$(grep -c . "$T/out")" = 2 ]
	    then ok "duplicated packets: one row"; else bad "duplicates"; fi
	# 256 combinations: those with RST (128) never probe, SYN+ACK
	# without RST (32) answers nothing: 96 probes, 96 rows.
	run "flags" 0 -f csv "$T/hostile/flags.pcap" &&
	    if [ "$(grep -c '^192.0.2.9,tcp,' "$T/out")" = 96 ]
	    then ok "every flag combination"; else bad "flags"; fi
	# 20 bytes of quoted IP and >= 4 of TCP (the ports) pair; less not.
	run "quotes" 0 -f csv "$T/hostile/quotes.pcap" &&
	    if [ "$(grep -c ',filtered,admin-prohibited,' "$T/out")" = 17 ] &&
		grep -q '^192.0.2.9,tcp,2023,filtered,no-response,' "$T/out" &&
		grep -q '^192.0.2.9,tcp,2024,filtered,admin-prohibited,' "$T/out"
	    then ok "quotes cut at every length"; else bad "quotes"; fi
	run "v6 loop" 0 -f csv -v "$T/hostile/v6-ext-loop.pcap" &&
	    err_has "endless IPv6 chain counted" "decode bad-ip6-ext: 2"
else
	echo "skip: gen-hostile not built"
fi

# 12. Robustness: every edge-case capture runs without a crash.
for f in "$S"/edge/*.pcap "$S"/edge/*.pcapng; do
	set +e
	# shellcheck disable=SC2086
	${VALGRIND:-} "$PORTSLEUTH" -f json "$f" >"$T/out" 2>"$T/err"
	st=$?
	set -e
	case $st in
	0|65) if grep -q 'Sanitizer\|runtime error' "$T/err"; then
		bad "edge $(basename "$f"): sanitizer report"; else
		ok "edge $(basename "$f") (status $st)"; fi ;;
	*) bad "edge $(basename "$f"): status $st"; sed 's/^/    /' "$T/err" | head -5 ;;
	esac
done

finish
