#!/bin/sh
# Hostile and odd inputs of issue #6 that tests/e2e.sh does not cover:
# captures cut inside the file header, a record header or a pcapng block;
# unreadable files (as root: run as nobody through setpriv); paths through
# a file; /dev/null and empty standard input; a FIFO; a corrupt compressed
# header; standard output closed; control bytes in file names on stderr and
# in text reports; --max-ports at its largest; --help against the man page.
# Each error: one line naming the file, the documented exit status.
# Environment (set by make check): PORTSLEUTH, SRCDIR.
TEST_NAME=robust
. "${SRCDIR:-$(dirname "$0")/..}/tests/lib.sh"
# 1. Cut inside the file header, a record header, a pcapng block.
head -c 10 "$S/s01_syn_hostfw.pcap" >"$T/hdr10.pcap"
run "cut in file header" 65 -f csv "$T/hdr10.pcap" &&
    err_one "cut in file header" '^portsleuth: .*/hdr10.pcap: not a readable pcap/pcapng capture \(libpcap: truncated dump file'
head -c 32 "$S/s01_syn_hostfw.pcap" >"$T/rec32.pcap"
run "cut in record header" 65 -f csv "$T/rec32.pcap" &&
    err_one "cut in record header" '/rec32.pcap: packet 1: read error near byte offset 32, rest of file skipped \(libpcap: truncated dump file'
head -c 2000 "$S/s04_fin_hostfw_pcapng.pcapng" >"$T/cut.pcapng"
run "pcapng cut in a block" 65 -f csv "$T/cut.pcapng" &&
    err_one "pcapng cut in a block" '/cut.pcapng: packet [0-9]+: read error near byte offset 2000, rest of file skipped \(libpcap: truncated pcapng' &&
    if [ "$(grep -c '^192.0.2.205,tcp,' "$T/out")" -ge 5 ]
    then ok "pcapng cut: rows for what was read"
    else bad "pcapng cut: rows missing"; fi
head -c 20 "$S/s04_fin_hostfw_pcapng.pcapng" >"$T/shb.pcapng"
run "pcapng cut in the section header" 65 "$T/shb.pcapng" &&
    err_one "pcapng cut in the section header" '/shb.pcapng: not a readable pcap/pcapng capture'

# 2. Files that cannot be read or are not files.
run "path through a file" 66 "$S/s01_syn_hostfw.pcap/x" &&
    err_one "path through a file" 's01_syn_hostfw.pcap/x: Not a directory$'
run "/dev/null" 65 /dev/null &&
    err_one "/dev/null" '^portsleuth: /dev/null: not a readable pcap/pcapng capture'
run "empty standard input" 65 - </dev/null &&
    err_one "empty standard input" '^portsleuth: -: not a readable pcap/pcapng capture'
printf '\037\213\010\377\377\377\377\377\377\377' >"$T/badhdr.gz"
run "corrupt gzip header" 65 "$T/badhdr.gz" &&
    err_one "corrupt gzip header: data error, not unreadable" '/badhdr.gz: corrupt gzip stream at compressed byte [0-9]+'
if command -v mkfifo >/dev/null && command -v timeout >/dev/null; then
	mkfifo "$T/fifo"
	( cat "$S/s07_syn_netfw.pcap" >"$T/fifo" ) &
	run "FIFO" 0 -f csv "$T/fifo" &&
	    if grep -q '^192.0.2.224,tcp,21,closed,reset,' "$T/out"
	    then ok "a FIFO is read as a stream"; else bad "FIFO rows"; fi
	wait
	mkdir "$T/withfifo"
	mkfifo "$T/withfifo/pipe.pcap"
	cp "$S/s07_syn_netfw.pcap" "$T/withfifo/c.pcap"
	set +e
	timeout 20 "$PORTSLEUTH" -f csv "$T/withfifo" >"$T/out" 2>"$T/err"
	st=$?
	set -e
	if [ "$st" = 0 ] && grep -q '^192.0.2.224,tcp,21,' "$T/out"
	then ok "a FIFO in a directory walk is skipped, not opened"
	else bad "FIFO in a directory: status $st"; fi
else
	echo "skip: mkfifo or timeout missing"
fi

# Unreadable. chmod 000 does not stop root: as root, run as nobody.
AS=
if [ "$(id -u)" = 0 ]; then
	if command -v setpriv >/dev/null &&
	    setpriv --reuid=65534 --regid=65534 --clear-groups true 2>/dev/null
	then AS="setpriv --reuid=65534 --regid=65534 --clear-groups"
	else AS=none; fi
fi
if [ "$AS" != none ]; then
	chmod 755 "$T"
	mkdir "$T/perm"
	cp "$S/s01_syn_hostfw.pcap" "$T/perm/secret.pcap"
	cp "$S/s07_syn_netfw.pcap" "$T/perm/public.pcap"
	chmod 000 "$T/perm/secret.pcap"
	chmod 755 "$T/perm"
	set +e
	$AS "$PORTSLEUTH" -f csv "$T/perm/secret.pcap" >"$T/out" 2>"$T/err"
	st=$?
	set -e
	if [ "$st" = 66 ]; then
		err_one "unreadable file" '^portsleuth: .*/perm/secret.pcap: Permission denied$'
	else bad "unreadable file: status $st, $(head -2 "$T/err")"; fi
	set +e
	$AS "$PORTSLEUTH" -f csv "$T/perm/secret.pcap" "$T/perm/public.pcap" \
	    >"$T/out" 2>"$T/err"
	st=$?
	set -e
	if [ "$st" = 65 ] && grep -q '^192.0.2.224,tcp,21,' "$T/out"; then
		err_one "unreadable file among others: the rest is read" 'secret.pcap: Permission denied$'
	else bad "unreadable among others: status $st"; fi
	chmod 555 "$T/perm"
	set +e
	$AS "$PORTSLEUTH" -f csv -o "$T/perm/out.csv" "$T/perm/public.pcap" \
	    >"$T/out" 2>"$T/err"
	st=$?
	set -e
	if [ "$st" = 73 ]; then
		err_one "output in a read-only directory" '/perm/out.csv: Permission denied$'
	else bad "read-only output: status $st"; fi
	chmod 755 "$T/perm"
	chmod 700 "$T"
else
	echo "skip: root without setpriv: unreadable files not testable"
fi

# 3. Standard output closed: a write error, exit 74, one line.
set +e
"$PORTSLEUTH" -f csv "$S/s01_syn_hostfw.pcap" >&- 2>"$T/err"
st=$?
set -e
if [ "$st" = 74 ]; then
	err_one "standard output closed" '^portsleuth: standard output: write error: '
else bad "standard output closed: status $st"; fi

# 4. Control bytes in file names: '?' on stderr (one line) and in text.
mkdir "$T/names"
nl=$(printf 'n\nl')
esc=$(printf '\033[2J')
cp "$S/s01_syn_hostfw.pcap" "$T/names/a${esc}${nl}.pcap"
printf 'garbage\n' >"$T/names/b${esc}${nl}.pcap"
run "control bytes in a name, stderr" 65 -f csv "$T/names/b${esc}${nl}.pcap" &&
    err_one "control bytes in a name: one line on stderr" '/names/b\?\[2Jn\?l\.pcap: not a readable' &&
    if grep -q "$(printf '\033')" "$T/err"; then bad "escape byte on stderr"
    else ok "no escape byte on stderr"; fi
cp "$S/s07_syn_netfw.pcap" "$T/names/c.pcap"
rm -f "$T/names/b${esc}${nl}.pcap"
run "control bytes in a name, text" 0 --per-file -f text "$T/names" &&
    if grep -q '^== .*/names/a?\[2Jn?l\.pcap ==$' "$T/out" &&
	! grep -q "$(printf '\033')" "$T/out"
    then ok "control bytes in a name: escaped in the text report"
    else bad "text report: $(grep '^==' "$T/out" | od -c | head -3)"; fi

# 5. The largest --max-ports does not wrap the host table's cap.
run "--max-ports 2147483647" 0 -f csv --max-memory 0 \
    --max-ports 2147483647 "$S/s01_syn_hostfw.pcap" &&
    if [ "$(grep -c '^192.0.2.192,' "$T/out")" = 26 ]
    then ok "--max-ports 2147483647: every port"
    else bad "--max-ports 2147483647: $(grep -c . "$T/out") lines"; fi

# 6. --help and the man page name the same options.
run "--help" 0 --help && cp "$T/out" "$T/help"
MAN="$SRCDIR/doc/portsleuth.1"
sed -n 's/^ \{2,6\}\(-[a-zA-Z], \)\{0,1\}--\([a-z][a-z-]*\).*/\2/p' "$T/help" |
    sort -u >"$T/help.opts"
sed -n '/^\.SH OPTIONS/,/^\.SH /p' "$MAN" | grep '^\.B' |
    grep -o '\\-\\-[a-z][a-z\\-]*' | sed 's/\\//g; s/^--//' |
    sort -u >"$T/man.opts"
if [ -s "$T/help.opts" ] && cmp -s "$T/help.opts" "$T/man.opts"; then
	ok "--help and portsleuth(1) list the same $(grep -c . "$T/help.opts") options"
else
	bad "--help and portsleuth(1) differ: $(diff "$T/help.opts" "$T/man.opts" | grep '^[<>]' | tr '\n' ' ')"
fi
for st in 0 64 65 66 70 73 74 78; do
	if grep -q "$st" "$T/help" && grep -q "^\.B $st\$" "$MAN"; then :; else
		bad "exit status $st missing from --help or the man page"; fi
done
ok "exit statuses in --help and the man page"

finish
