# Shared by tests/db.sh and tests/pg.sh (sourced, not run): the e2e.sh-style
# prologue, run/expect helpers, and the README's --db example and queries.
# Environment (set by make check): PORTSLEUTH, SRCDIR; VALGRIND, when set,
# runs every portsleuth invocation under it.
set -eu
LC_ALL=C
export LC_ALL
: "${SRCDIR:=$(cd "$(dirname "$0")/.." && pwd)}"
: "${PORTSLEUTH:=$SRCDIR/analyzer/portsleuth}"
PORTSLEUTH_RULES_DIR="$SRCDIR/rules"
export PORTSLEUTH_RULES_DIR
S="$SRCDIR/samples"
T=$(mktemp -d "${TMPDIR:-/tmp}/ps-db.XXXXXX")
cleanup_extra() { :; }
trap 'cleanup_extra; rm -rf "$T"' EXIT
trap 'exit 1' INT TERM
pass=0
fail=0

ok() { pass=$((pass + 1)); echo "ok: $1"; }
bad() { fail=$((fail + 1)); echo "FAIL: $1"; }

# need PROGRAM PACKAGE: a missing test dependency fails loudly.
need() {
	if ! command -v "$1" >/dev/null 2>&1; then
		echo "FAIL: '$1' is not installed (Debian: apt-get install $2);" \
		    "README command 1 installs it"
		exit 1
	fi
}

# run NAME EXPECTED-STATUS ARGS... : stdout in $T/out, stderr in $T/err
run() {
	_rn=$1 _rw=$2
	shift 2
	set +e
	# shellcheck disable=SC2086
	${VALGRIND:-} "$PORTSLEUTH" "$@" >"$T/out" 2>"$T/err"
	_rs=$?
	set -e
	if [ "$_rs" -ge 128 ] || grep -q 'Sanitizer\|runtime error\|==[0-9]*==' "$T/err"; then
		bad "$_rn: crashed, sanitizer or valgrind report (status $_rs)"
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

# expect_err NAME REGEX: stderr is exactly one line, matching REGEX
expect_err() {
	if [ "$(wc -l <"$T/err")" -eq 1 ] && grep -Eq "$2" "$T/err"; then
		ok "$1"
	else
		bad "$1: stderr is not one line matching /$2/"
		sed 's/^/    /' "$T/err" | head -5
	fi
}

# same NAME FILE1 FILE2: identical contents
same() {
	if cmp -s "$2" "$3"; then ok "$1"; else
		bad "$1"
		diff "$2" "$3" | head -10 | sed 's/^/    /'
	fi
}

# The body of the fenced block after "<!-- NAME -->" in the README.
readme_block() {
	sed -n "/^<!-- $1 -->\$/,/^\`\`\`\$/p" "$SRCDIR/README.md" | sed '1,2d;$d'
}

# The names of the README's example queries.
readme_queries() {
	sed -n 's/^<!-- query \([a-z0-9-]*\) -->$/\1/p' "$SRCDIR/README.md"
}

# build_example DB: run the README's --db example (from $SRCDIR, so the
# stored paths are the README's) into DB. 0, or 1 with a FAIL line.
build_example() {
	readme_block db-example |
	    sed "s|archive\\.sqlite|$1|g; s|^portsleuth |example_run |" \
	    >"$T/example.sh"
	if [ "$(grep -c '^example_run ' "$T/example.sh")" -lt 3 ]; then
		bad "README --db example not found"
		return 1
	fi
	: >"$T/example.err"
	: >"$T/example.fail"
	(
		cd "$SRCDIR"
		example_run() {
			# shellcheck disable=SC2086
			${VALGRIND:-} "$PORTSLEUTH" "$@" >/dev/null \
			    2>>"$T/example.err" ||
			    echo "status $?: portsleuth $*" >>"$T/example.fail"
		}
		. "$T/example.sh"
	)
	if [ -s "$T/example.fail" ]; then
		bad "README --db example: $(head -1 "$T/example.fail")"
		sed 's/^/    /' "$T/example.err" | head -5
		return 1
	fi
	return 0
}
