# tests/lib.sh -- sourced (not run) by the shell test scripts: the common
# prologue and helpers. Set TEST_NAME first (names the scratch directory).
# Environment (set by make check): PORTSLEUTH, SRCDIR; VALGRIND, when set
# (e.g. "valgrind -q --error-exitcode=99 --leak-check=full"), runs every
# run() invocation under it, and any error or leak fails that test.
#
# Gives: S (samples/), T (scratch directory, removed at exit; a script may
# define cleanup_extra() to undo more), ok/bad and the pass/fail counts,
# need, run, err_has, err_one, same, finish.
set -eu
LC_ALL=C
export LC_ALL
: "${SRCDIR:=$(cd "$(dirname "$0")/.." && pwd)}"
: "${PORTSLEUTH:=$SRCDIR/analyzer/portsleuth}"
PORTSLEUTH_RULES_DIR="$SRCDIR/rules"
export PORTSLEUTH_RULES_DIR
S="$SRCDIR/samples"
T=$(mktemp -d "${TMPDIR:-/tmp}/ps-${TEST_NAME:-test}.XXXXXX")
cleanup_extra() { :; }
trap 'cleanup_extra; chmod -R u+rwx "$T" 2>/dev/null; rm -rf "$T"' EXIT
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

# run NAME EXPECTED-STATUS ARGS...: stdout in $T/out, stderr in $T/err
run() {
	_rn=$1 _rw=$2
	shift 2
	set +e
	# shellcheck disable=SC2086
	${VALGRIND:-} "$PORTSLEUTH" "$@" >"$T/out" 2>"$T/err"
	_rs=$?
	set -e
	if [ "$_rs" -ge 128 ] ||
	    grep -q 'Sanitizer\|runtime error\|==[0-9]*==' "$T/err"; then
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

# err_has NAME REGEX: a line of stderr matches REGEX
err_has() {
	if grep -Eq -e "$2" "$T/err"; then ok "$1"; else
		bad "$1: stderr lacks /$2/"
		sed 's/^/    /' "$T/err" | head -5
	fi
}

# err_one NAME REGEX: stderr is exactly one line, matching REGEX
err_one() {
	if [ "$(grep -c '' "$T/err")" = 1 ] && grep -Eq -e "$2" "$T/err"; then
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

# finish [LABEL]: the closing count line; the script's exit status
finish() {
	echo "${1:+$1: }$pass passed, $fail failed"
	[ "$fail" -eq 0 ]
}
