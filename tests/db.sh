#!/bin/sh
# --db and --export-csv end to end, on the captures in samples/: what a run
# stores equals what the same run prints (-f csv, --findings, the JSON
# summary, sha256sum), stored captures are skipped under any name, runs
# append, --per-file and merged runs link rows to their captures, the
# README's example queries give the README's answers, damaged or foreign
# database files fail with one line and their documented exit status, and
# the export writes every table. tests/pg.sh loads the export into
# PostgreSQL. Needs sqlite3(1).
SRCDIR=${SRCDIR:-$(cd "$(dirname "$0")/.." && pwd)}
. "$SRCDIR/tests/db-common.sh"
need sqlite3 sqlite3

# The ports columns in -f csv order, as the CSV writer prints them.
CSV_COLS="host, proto, port, state, reason, reason_ttl, reason_ip, scanner,
    probes, responses,
    CASE WHEN rtt_ms IS NULL THEN NULL ELSE printf('%.3f', rtt_ms) END,
    first_seen, last_seen, service, kinds, findings"
FINDING_COLS="finding AS id, severity, host, source, ports, count, message,
    rule"

q() { sqlite3 "$@"; }
sha() { sha256sum "$1" | cut -c1-64; }
# counts DB: "runs captures ports findings"
counts() {
	q "$1" "SELECT (SELECT count(*) FROM runs) || ' ' ||
	    (SELECT count(*) FROM captures) || ' ' ||
	    (SELECT count(*) FROM ports) || ' ' ||
	    (SELECT count(*) FROM findings)"
}
# check NAME GOT WANT
check() {
	if [ "$2" = "$3" ]; then ok "$1"; else
		bad "$1: got '$2', expected '$3'"
	fi
}

# 1. A fresh database: one run, one capture, the rows the CSV prints.
DB=$T/one.sqlite
cap=$S/s01_syn_hostfw.pcap
if run "fresh database" 0 --db "$DB" -f csv --findings "$T/findings.csv" \
    "$cap"; then
	check "fresh database: nothing on stderr" "$(cat "$T/err")" ""
	tail -n +2 "$T/out" >"$T/csv-rows"
	q -csv "$DB" "SELECT $CSV_COLS FROM ports ORDER BY rowid" \
	    >"$T/db-rows"
	same "ports rows equal the CSV output" "$T/csv-rows" "$T/db-rows"
	check "ports: 26 rows" "$(wc -l <"$T/db-rows")" 26
	q -csv -header "$DB" "SELECT $FINDING_COLS FROM findings
	    ORDER BY rowid" >"$T/db-findings"
	same "findings rows equal the --findings CSV" "$T/findings.csv" \
	    "$T/db-findings"
	check "findings: 2 rows" "$(q "$DB" 'SELECT count(*) FROM findings')" 2
	run "json summary" 0 -f json "$cap"
	span=$(sed -n 's/.*"type":"summary".*"packets":\([0-9]*\),.*"first_seen":"\([^"]*\)","last_seen":"\([^"]*\)".*/\1|\2|\3/p' "$T/out")
	check "captures row: size, sha256 (sha256sum), records, span (JSON summary)" \
	    "$(q "$DB" 'SELECT path, size, sha256, packets, first_packet,
	    last_packet, partial FROM captures')" \
	    "$cap|$(wc -c <"$cap")|$(sha "$cap")|$span|0"
	check "rows point at their run and capture" \
	    "$(q "$DB" "SELECT (SELECT count(*) FROM runs),
	    (SELECT group_concat(DISTINCT run) FROM ports),
	    (SELECT group_concat(DISTINCT capture) FROM ports),
	    (SELECT group_concat(DISTINCT capture) FROM findings),
	    (SELECT run FROM captures)")" "1|1|1|1|1"
	check "runs row: options and counters" \
	    "$(q "$DB" "SELECT version, per_file, timeout_ms, filter IS NULL,
	    default_rules, rules IS NULL, captures, skipped,
	    started <= finished, length(started) FROM runs")" \
	    "$("$PORTSLEUTH" --version | cut -d' ' -f2)|0|10000|1|1|1|1|0|1|27"
	check "schema version and application id" \
	    "$(q "$DB" 'PRAGMA user_version; PRAGMA application_id;
	    SELECT value FROM meta WHERE name = '"'schema_version'"'' |
	    tr '\n' ' ')" "1 1347636308 1 "
fi

# 2. The same capture again, under its name or another: skipped, the file
# not even touched.
before=$(sha "$DB")
if run "same capture again" 0 --db "$DB" -f csv "$cap"; then
	check "same capture again: nothing printed" "$(cat "$T/out")" ""
	if grep -q "^portsleuth: $cap: already in $DB (capture 1, run 1): skipped\$" "$T/err" &&
	    grep -q "^portsleuth: $DB: every capture given is already stored (1 skipped): nothing analysed or stored\$" "$T/err" &&
	    [ "$(wc -l <"$T/err")" -eq 2 ]; then
		ok "same capture again: a notice, and that nothing was done"
	else
		bad "same capture again: notices"
		sed 's/^/    /' "$T/err"
	fi
	check "same capture again: database file unchanged" "$(sha "$DB")" \
	    "$before"
fi
cp "$cap" "$T/renamed.pcap"
if run "same content, another name, -q" 0 -q --db "$DB" "$T/renamed.pcap"; then
	check "another name: skipped silently with -q" \
	    "$(cat "$T/out" "$T/err")" ""
	check "another name: database file unchanged" "$(sha "$DB")" "$before"
fi
if run "a capture given twice" 0 --db "$T/twice.sqlite" -f csv \
    "$S/s07_syn_netfw.pcap" "$T/renamed.pcap" "$S/s07_syn_netfw.pcap"; then
	if grep -q "s07_syn_netfw.pcap: same content as .*s07_syn_netfw.pcap: skipped" "$T/err"; then
		ok "a capture given twice: the repeat is skipped"
	else
		bad "a capture given twice: no notice"
	fi
	check "a capture given twice: stored once" \
	    "$(q "$T/twice.sqlite" 'SELECT count(*) FROM captures')" 2
fi

# 3. A different capture appends a run.
if run "append a capture" 0 --db "$DB" -f csv "$S/s11_backscatter.pcap"; then
	check "append: counts" "$(counts "$DB")" "2 2 40 4"
	tail -n +2 "$T/out" >"$T/csv-rows"
	q -csv "$DB" "SELECT $CSV_COLS FROM ports WHERE run = 2 ORDER BY rowid" \
	    >"$T/db-rows"
	same "append: the new rows equal its CSV output" "$T/csv-rows" \
	    "$T/db-rows"
	check "append: run 2 owns capture 2" \
	    "$(q "$DB" 'SELECT run, path FROM captures WHERE id = 2')" \
	    "2|$S/s11_backscatter.pcap"
fi

# 4. A stored capture and a new one: only the new one is read and stored.
run "csv of s07 alone" 0 -f csv "$S/s07_syn_netfw.pcap" && cp "$T/out" "$T/s07.csv"
if run "stored and new together" 0 --db "$DB" -f csv "$cap" \
    "$S/s07_syn_netfw.pcap"; then
	same "stored and new: the report covers the new capture only" \
	    "$T/s07.csv" "$T/out"
	check "stored and new: run 3 has 1 capture, 1 skipped" \
	    "$(q "$DB" 'SELECT captures, skipped FROM runs WHERE id = 3')" "1|1"
	check "stored and new: its rows name its capture" \
	    "$(q "$DB" 'SELECT DISTINCT capture FROM ports WHERE run = 3')" 3
fi

# 5. --per-file: one run, a capture per file, rows labelled as printed;
# -j 2 stores exactly what -j 1 stores.
P1=$S/split/s17_part1.pcap P2=$S/split/s17_part2.pcap P3=$S/split/s17_part3.pcap
for j in 1 2; do
	run "--per-file -j $j" 0 --db "$T/pf$j.sqlite" --per-file -j $j -f csv \
	    "$P1" "$P2" "$P3" || continue
	tail -n +2 "$T/out" >"$T/csv-rows"
	q -csv "$T/pf$j.sqlite" "SELECT $CSV_COLS, c.path FROM ports p
	    JOIN captures c ON c.id = p.capture ORDER BY p.rowid" >"$T/db-rows"
	same "--per-file -j $j: rows equal the CSV output, capture column included" \
	    "$T/csv-rows" "$T/db-rows"
	q "$T/pf$j.sqlite" "SELECT * FROM ports ORDER BY rowid;
	    SELECT finding, capture, message FROM findings ORDER BY rowid;
	    SELECT id, run, path, sha256 FROM captures ORDER BY id" >"$T/pf$j.dump"
done
check "--per-file: 1 run, 3 captures" "$(counts "$T/pf1.sqlite" | cut -d' ' -f1-2)" "1 3"
check "--per-file: tcp/8000 open, closed, filtered by capture" \
    "$(q "$T/pf1.sqlite" "SELECT group_concat(state, ',') FROM (SELECT state
    FROM ports WHERE port = 8000 ORDER BY capture)")" "open,closed,filtered"
same "--per-file: -j 2 stores what -j 1 stores" "$T/pf1.dump" "$T/pf2.dump"
run "--per-file, first capture stored" 0 --db "$T/pf3.sqlite" "$P1"
if run "--per-file after a stored capture" 0 --db "$T/pf3.sqlite" --per-file \
    -j 2 -f csv "$P1" "$P2" "$P3"; then
	check "--per-file after a stored capture: one header, the new rows" \
	    "$(grep -c '^host,' "$T/out") $(grep -c "s17_part[23].pcap\$" "$T/out") $(wc -l <"$T/out")" \
	    "1 4 5"
	check "--per-file after a stored capture: run 2 stores captures 2, 3" \
	    "$(q "$T/pf3.sqlite" "SELECT group_concat(DISTINCT capture) FROM
	    ports WHERE run = 2")" "2,3"
fi

# 6. Several captures merged into one stream: the rows belong to the run,
# not to one capture.
if run "merged run" 0 --db "$T/merged.sqlite" -f csv \
    "$S/split/s01_part1.pcap" "$S/split/s01_part2.pcap"; then
	tail -n +2 "$T/out" >"$T/csv-rows"
	q -csv "$T/merged.sqlite" "SELECT $CSV_COLS FROM ports ORDER BY rowid" \
	    >"$T/db-rows"
	same "merged run: rows equal the CSV output" "$T/csv-rows" "$T/db-rows"
	check "merged run: 2 captures of run 1, rows with capture NULL" \
	    "$(q "$T/merged.sqlite" "SELECT (SELECT group_concat(run) FROM
	    captures), (SELECT count(*) FROM ports WHERE capture IS NULL),
	    (SELECT count(*) FROM ports)")" "1,1|26|26"
fi

# 7. A truncated capture is stored, marked partial; a missing input is
# reported as without --db and not stored.
head -c 3000 "$cap" >"$T/truncated.pcap"
if run "truncated capture" 65 --db "$T/partial.sqlite" "$T/truncated.pcap"; then
	check "truncated capture: stored, partial" \
	    "$(q "$T/partial.sqlite" 'SELECT packets, partial FROM captures')" \
	    "37|1"
fi
run "missing input, without --db" 65 "$T/nonexistent.pcap" "$S/s07_syn_netfw.pcap" || true
if run "missing input" 65 --db "$T/missing.sqlite" "$T/nonexistent.pcap" \
    "$S/s07_syn_netfw.pcap"; then
	check "missing input: the other one is stored" \
	    "$(q "$T/missing.sqlite" 'SELECT path FROM captures')" \
	    "$S/s07_syn_netfw.pcap"
fi

# 8. Inputs that cannot be identified before they are read.
if run "standard input" 64 --db "$T/stdin.sqlite" - <"$cap"; then
	err_one "standard input: one line" "stdin.sqlite: -: standard input: only files can be stored"
fi
mkfifo "$T/fifo"
if run "a named pipe (not opened, so no hang)" 64 --db "$T/stdin.sqlite" "$T/fifo"; then
	err_one "a named pipe: one line" "fifo: not a regular file: only files can be stored"
fi

# 9. Database files that cannot be used: one line, status 73, untouched.
echo "not a database" >"$T/text.sqlite"
before=$(sha "$T/text.sqlite")
run "corrupt database" 73 --db "$T/text.sqlite" "$cap" &&
    err_one "corrupt database: one line" "text.sqlite: file is not a database"
check "corrupt database: untouched" "$(sha "$T/text.sqlite")" "$before"
run "a directory as database" 73 --db "$T" "$cap" &&
    err_one "a directory as database: one line" "cannot open or create"
run "database in a missing directory" 73 --db "$T/no/such.sqlite" "$cap" &&
    err_one "missing directory: one line" "no/such.sqlite: cannot open or create"
q "$T/foreign.sqlite" "CREATE TABLE t (x); INSERT INTO t VALUES (1)"
before=$(sha "$T/foreign.sqlite")
run "another program's database" 73 --db "$T/foreign.sqlite" "$cap" &&
    err_one "another program's database: one line" "foreign.sqlite: not a portsleuth database"
check "another program's database: untouched" "$(sha "$T/foreign.sqlite")" "$before"
cp "$DB" "$T/newer.sqlite"
q "$T/newer.sqlite" "PRAGMA user_version = 2"
run "newer schema" 73 --db "$T/newer.sqlite" "$cap" &&
    err_one "newer schema: one line" "schema version 2, this portsleuth knows version 1 \(written by a newer portsleuth\)"
: >"$T/empty.sqlite"
run "empty file: becomes a database" 0 --db "$T/empty.sqlite" "$cap" &&
    check "empty file: stored" "$(counts "$T/empty.sqlite")" "1 1 26 2"

# 10. Another run holds the lock: wait 5 s, then 75, nothing analysed. The
# lock is held by sqlite3 reading a FIFO, until the FIFO is closed.
cp "$DB" "$T/locked.sqlite"
mkfifo "$T/lockfifo"
sqlite3 "$T/locked.sqlite" <"$T/lockfifo" >/dev/null 2>&1 &
locker=$!
exec 3>"$T/lockfifo"
echo "BEGIN IMMEDIATE;" >&3
i=0
while sqlite3 "$T/locked.sqlite" "BEGIN IMMEDIATE; ROLLBACK" >/dev/null 2>&1 &&
    [ $i -lt 50 ]; do
	sleep 0.1
	i=$((i + 1))
done
if run "locked by another run" 75 --db "$T/locked.sqlite" "$S/s09_windows_syn_xmas.pcap"; then
	err_one "locked: one line" "locked.sqlite: locked by another run that is storing into it \(waited 5 s\); nothing analysed"
	check "locked: nothing printed" "$(cat "$T/out")" ""
fi
exec 3>&-
wait "$locker" || true
check "locked: nothing stored" "$(counts "$T/locked.sqlite")" "$(counts "$DB")"

# 11. Storing fails half-way (here a trigger stands in for a full disk):
# 74, the report is still printed, nothing of the run is stored.
cp "$DB" "$T/failing.sqlite"
q "$T/failing.sqlite" "CREATE TRIGGER full BEFORE INSERT ON findings
    BEGIN SELECT RAISE(ABORT, 'database or disk is full'); END"
before=$(counts "$T/failing.sqlite")
run "csv of s08" 0 -f csv "$S/s08_rst_injection.pcap" && cp "$T/out" "$T/s08.csv"
if run "storing fails" 74 --db "$T/failing.sqlite" -f csv "$S/s08_rst_injection.pcap"; then
	err_one "storing fails: one line" "failing.sqlite: cannot store a finding: database or disk is full; nothing of this run is stored"
	same "storing fails: the report is still printed" "$T/s08.csv" "$T/out"
	check "storing fails: nothing stored" "$(counts "$T/failing.sqlite")" "$before"
fi

# 12. The README's example and its queries.
if build_example "$T/archive.sqlite"; then
	ok "README --db example runs"
	if grep -q "^portsleuth: samples/s11_backscatter.pcap: already in $T/archive.sqlite (capture 5, run 3): skipped\$" "$T/example.err"; then
		ok "README example: the notice it quotes"
	else
		bad "README example: the notice it quotes"
		sed 's/^/    /' "$T/example.err"
	fi
	nq=0
	for n in $(readme_queries); do
		nq=$((nq + 1))
		readme_block "query $n" >"$T/q-$n.sql"
		readme_block "answer $n" >"$T/a-$n.txt"
		if [ ! -s "$T/q-$n.sql" ] || [ ! -s "$T/a-$n.txt" ]; then
			bad "README query $n: query or answer missing"
			continue
		fi
		q "$T/archive.sqlite" <"$T/q-$n.sql" >"$T/r-$n.txt" 2>&1 || true
		same "README query $n: SQLite gives the README's answer" \
		    "$T/a-$n.txt" "$T/r-$n.txt"
	done
	check "README: at least 5 example queries" "$([ "$nq" -ge 5 ] && echo yes)" yes
fi

# 13. Export: every table as CSV with its header, schema.sql, load.sql.
X=$T/export
if run "export" 0 --db "$T/archive.sqlite" --export-csv "$X"; then
	check "export: files" "$(cd "$X" && ls | tr '\n' ' ')" \
	    "captures.csv findings.csv load.sql meta.csv ports.csv runs.csv schema.sql "
	for t in meta runs captures ports findings; do
		cols=$(q "$T/archive.sqlite" "SELECT group_concat(name, ',')
		    FROM pragma_table_info('$t')")
		check "export $t: header" "$(head -1 "$X/$t.csv")" "$cols"
		check "export $t: one line per row" \
		    "$(($(wc -l <"$X/$t.csv") - 1))" \
		    "$(q "$T/archive.sqlite" "SELECT count(*) FROM $t")"
		grep -q "^\\\\copy $t (" "$X/load.sql" && grep -q "^CREATE TABLE $t (" "$X/schema.sql" ||
		    bad "export $t: not in load.sql and schema.sql"
	done
	check "export: NULL is an empty field, text is quoted, quotes doubled" \
	    "$(sed -n 2p "$X/findings.csv" | cut -d, -f1-9)" \
	    '1,3,"silent-drop","medium","port","192.0.2.206",,"tcp/8000",1'
	grep -q '""proto"":""tcp""' "$X/findings.csv" &&
	    ok "export: JSON evidence quoted per RFC 4180" ||
	    bad "export: JSON evidence quoting"
fi
run "export again into the same directory" 0 --db "$T/archive.sqlite" --export-csv "$X"
run "export: missing database" 66 --db "$T/nothing.sqlite" --export-csv "$X" &&
    err_one "export: missing database: one line" "nothing.sqlite: cannot open"
check "export: missing database not created" "$(ls "$T/nothing.sqlite" 2>/dev/null)" ""
run "export: corrupt database" 65 --db "$T/text.sqlite" --export-csv "$X" &&
    err_one "export: corrupt database: one line" "file is not a database"
run "export: another program's database" 65 --db "$T/foreign.sqlite" --export-csv "$X" &&
    err_one "export: foreign: one line" "not a portsleuth database"
run "export: DIR is a file" 73 --db "$DB" --export-csv "$X/meta.csv" &&
    err_one "export: DIR is a file: one line" "meta.csv: cannot create directory: Not a directory"
run "export without --db" 64 --export-csv "$X" &&
    err_one "export without --db: one line" "needs --db FILE and no capture"
run "export with a capture" 64 --db "$DB" --export-csv "$X" "$cap" &&
    err_one "export with a capture: one line" "needs --db FILE and no capture"
# A path that is not UTF-8 is exported with U+FFFD (PostgreSQL takes it).
cp "$cap" "$T/latin1-$(printf '\351').pcap"
if run "non-UTF-8 path" 0 --db "$T/latin1.sqlite" "$T/latin1-$(printf '\351').pcap" &&
    run "non-UTF-8 path: export" 0 --db "$T/latin1.sqlite" --export-csv "$T/latin1"; then
	if grep -q "latin1-$(printf '\357\277\275').pcap" "$T/latin1/captures.csv"; then
		ok "non-UTF-8 path: exported with U+FFFD"
	else
		bad "non-UTF-8 path: exported as $(sed -n 2p "$T/latin1/captures.csv" | cut -c1-80)"
	fi
fi

# 14. --help and the man page name the same long options.
"$PORTSLEUTH" --help | grep -o -- '--[a-z][a-z-]*' | sort -u >"$T/help-opts"
sed -n '/^\.SH OPTIONS/,/^\.SH FINDINGS/p' "$SRCDIR/doc/portsleuth.1" |
    sed 's/\\-/-/g' | grep -o -- '--[a-z][a-z-]*' | sort -u >"$T/man-opts"
same "--help and portsleuth(1) list the same options" "$T/help-opts" "$T/man-opts"

finish db
