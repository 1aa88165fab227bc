# Shared by tests/db.sh and tests/pg.sh (sourced, not run): tests/lib.sh,
# and the README's --db example and queries.
# Environment (set by make check): PORTSLEUTH, SRCDIR; VALGRIND, when set,
# runs every portsleuth invocation under it.
TEST_NAME=db
. "$SRCDIR/tests/lib.sh"

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
