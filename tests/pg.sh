#!/bin/sh
# --export-csv into a real PostgreSQL: start a throwaway server (initdb and
# pg_ctl, Unix socket only, in a temporary directory; as root, the server
# runs as "nobody", since initdb refuses root), load schema.sql and the
# CSVs with load.sql exactly as the README says, check the row counts, and
# run the README's example queries: PostgreSQL must give the answers SQLite
# gives (times normalised from PostgreSQL's "2026-11-22 15:12:42.9564+00"
# to ISO 8601 with microseconds). The server is stopped and deleted at exit.
# Needs the Debian packages postgresql and sqlite3: a missing one fails.
SRCDIR=${SRCDIR:-$(cd "$(dirname "$0")/.." && pwd)}
. "$SRCDIR/tests/db-common.sh"
need sqlite3 sqlite3
need psql postgresql
PGBIN=${PGBIN:-$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -1)}
if [ -z "$PGBIN" ] || [ ! -x "$PGBIN/initdb" ] || [ ! -x "$PGBIN/pg_ctl" ]; then
	echo "FAIL: PostgreSQL server programs (initdb, pg_ctl) not found in" \
	    "/usr/lib/postgresql/*/bin (Debian: apt-get install postgresql)"
	exit 1
fi

# The server's own directory: the unprivileged user must own it.
PGD=$(mktemp -d "${TMPDIR:-/tmp}/ps-pg.XXXXXX")
AS=""
if [ "$(id -u)" -eq 0 ]; then
	chown nobody "$PGD"
	AS="runuser -u nobody --"
fi
started=no
cleanup_extra() {
	if [ "$started" = yes ]; then
		$AS "$PGBIN/pg_ctl" -D "$PGD/data" -m immediate -w stop \
		    >/dev/null 2>&1 || true
	fi
	rm -rf "$PGD"
}
if ! (cd "$PGD" && $AS "$PGBIN/initdb" -D "$PGD/data" -A trust -U postgres \
    -E UTF8 --locale=C --no-sync >"$T/initdb.log" 2>&1); then
	echo "FAIL: initdb"
	sed 's/^/    /' "$T/initdb.log" | tail -5
	exit 1
fi
if ! (cd "$PGD" && $AS "$PGBIN/pg_ctl" -D "$PGD/data" -l "$PGD/server.log" -w \
    -o "-k $PGD -c listen_addresses= -c fsync=off" start >/dev/null 2>&1); then
	echo "FAIL: the PostgreSQL server does not start"
	sed 's/^/    /' "$PGD/server.log" | tail -5
	exit 1
fi
started=yes
ok "throwaway PostgreSQL server up ($("$PGBIN/postgres" --version))"
PGHOST=$PGD PGUSER=postgres PGDATABASE=postgres PGTZ=UTC PGOPTIONS=
export PGHOST PGUSER PGDATABASE PGTZ PGOPTIONS
psql_q() { psql -X -q -A -t -F '|' -v ON_ERROR_STOP=1 "$@"; }

# PostgreSQL's timestamptz text as the ISO 8601 SQLite stores.
iso() {
	sed -E 's/([0-9]{4}-[0-9]{2}-[0-9]{2}) ([0-9]{2}:[0-9]{2}:[0-9]{2})(\.[0-9]+)?\+00/\1T\2\3Z/g' |
	    sed -E ':a
s/(T[0-9]{2}:[0-9]{2}:[0-9]{2})Z/\1.000000Z/
s/(T[0-9]{2}:[0-9]{2}:[0-9]{2}\.[0-9]{1,5})Z/\10Z/
ta'
}

# The README's example database, exported, loaded as the README says.
build_example "$T/archive.sqlite" || exit 1
X=$T/export
run "export" 0 --db "$T/archive.sqlite" --export-csv "$X" || exit 1
psql_q -c "CREATE DATABASE portsleuth" >/dev/null
PGDATABASE=portsleuth
if (cd "$X" && psql -X -q -v ON_ERROR_STOP=1 -f schema.sql -f load.sql) \
    >"$T/load.log" 2>&1; then
	ok "schema.sql and load.sql load into PostgreSQL"
else
	bad "loading into PostgreSQL"
	sed 's/^/    /' "$T/load.log" | head -10
fi
for t in meta runs captures ports findings; do
	want=$(sqlite3 "$T/archive.sqlite" "SELECT count(*) FROM $t")
	got=$(psql_q -c "SELECT count(*) FROM $t" 2>&1)
	if [ "$got" = "$want" ]; then ok "$t: $got rows in both"; else
		bad "$t: $got rows in PostgreSQL, $want in SQLite"
	fi
done

# Values survive the trip: NULLs, texts, numbers, times, addresses, JSON.
sqlite3 "$T/archive.sqlite" "SELECT run, capture IS NULL, host, proto, port,
    state, reason, reason_ttl, coalesce(reason_ip, '-'), scanner, probes,
    responses, CASE WHEN rtt_ms IS NULL THEN '-' ELSE printf('%.3f', rtt_ms) END,
    first_seen, last_seen,
    coalesce(service, '-'), kinds, coalesce(findings, '-')
    FROM ports ORDER BY run, capture, port, scanner" >"$T/lite-ports"
psql_q -c "SELECT run, CASE WHEN capture IS NULL THEN 1 ELSE 0 END, host,
    proto, port, state, reason, reason_ttl, coalesce(host(reason_ip), '-'),
    host(scanner), probes, responses,
    coalesce(to_char(rtt_ms, 'FM999999990.000'), '-'), first_seen, last_seen,
    coalesce(service, '-'), kinds, coalesce(findings, '-')
    FROM ports ORDER BY run, capture, port, scanner" 2>&1 | iso >"$T/pg-ports"
same "ports: every value equal in PostgreSQL" "$T/lite-ports" "$T/pg-ports"
sqlite3 "$T/archive.sqlite" "SELECT id, run, path, size, sha256, packets,
    first_packet, last_packet, partial FROM captures ORDER BY id" \
    >"$T/lite-caps"
psql_q -c "SELECT id, run, path, size, sha256, packets, first_packet,
    last_packet, partial FROM captures ORDER BY id" 2>&1 | iso >"$T/pg-caps"
same "captures: every value equal in PostgreSQL" "$T/lite-caps" "$T/pg-caps"
check_json=$(psql_q -c "SELECT count(*) FROM findings
    WHERE jsonb_typeof(evidence) = 'object' AND evidence ? 'count'" 2>&1)
want=$(sqlite3 "$T/archive.sqlite" "SELECT count(*) FROM findings
    WHERE json_type(evidence, '\$.count') IS NOT NULL")
if [ "$check_json" = "$want" ]; then ok "findings: evidence is jsonb"; else
	bad "findings: evidence: $check_json objects with count, expected $want"
fi

# Every bundled capture (IPv6, compressed, damaged and odd ones) and the
# hostile ones of tests/gen-hostile: the whole export loads, row for row.
mkdir "$T/every"
if [ -n "${GEN_HOSTILE:-}" ] && [ -x "$GEN_HOSTILE" ]; then
	"$GEN_HOSTILE" "$T/every"
fi
# shellcheck disable=SC2086
${VALGRIND:-} "$PORTSLEUTH" -q --db "$T/every.sqlite" --per-file "$S" \
    "$T/every" >/dev/null 2>"$T/every.err" || true
if grep -q 'Sanitizer\|runtime error' "$T/every.err"; then
	bad "every capture: sanitizer report"
fi
run "every capture: export" 0 --db "$T/every.sqlite" --export-csv "$T/every-csv"
psql_q -d postgres -c "CREATE DATABASE every" >/dev/null
if (cd "$T/every-csv" && psql -X -q -v ON_ERROR_STOP=1 -d every -f schema.sql \
    -f load.sql) >"$T/every.log" 2>&1; then
	ok "every capture: the export loads into PostgreSQL"
else
	bad "every capture: loading into PostgreSQL"
	sed 's/^/    /' "$T/every.log" | head -10
fi
for t in captures ports findings; do
	want=$(sqlite3 "$T/every.sqlite" "SELECT count(*) FROM $t")
	got=$(psql_q -d every -c "SELECT count(*) FROM $t" 2>&1)
	if [ "$got" = "$want" ] && [ "$want" -gt 40 ]; then
		ok "every capture: $t: $got rows in both"
	else
		bad "every capture: $t: $got rows in PostgreSQL, $want in SQLite"
	fi
done

# The README's queries, unchanged, give the README's (SQLite's) answers.
nq=0
for n in $(readme_queries); do
	nq=$((nq + 1))
	readme_block "query $n" >"$T/q-$n.sql"
	readme_block "answer $n" >"$T/a-$n.txt"
	sqlite3 "$T/archive.sqlite" <"$T/q-$n.sql" >"$T/lite-$n.txt" 2>&1 || true
	psql_q -f "$T/q-$n.sql" 2>&1 | iso >"$T/pg-$n.txt" || true
	same "README query $n: PostgreSQL gives SQLite's answer" \
	    "$T/lite-$n.txt" "$T/pg-$n.txt"
	same "README query $n: which is the README's" "$T/a-$n.txt" "$T/pg-$n.txt"
done
if [ "$nq" -ge 5 ]; then ok "$nq README queries"; else
	bad "only $nq README queries"
fi

finish pg
