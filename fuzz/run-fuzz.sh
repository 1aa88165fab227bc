#!/bin/sh
# run-fuzz.sh -- build the libFuzzer harnesses and run each for a while.
#
#   fuzz/run-fuzz.sh [TIME_SECONDS]        (default $FUZZ_TIME, else 60)
#
# Builds fuzz-capture, fuzz-packet, fuzz-rules, fuzz-baseline, fuzz-zio,
# fuzz-merge and fuzz-evidence with clang
# (-fsanitize=fuzzer,address,undefined, UB fatal) from every analyzer/*.c
# but main.c, fills the seed corpora (fuzz/seeds.sh), replays the
# regression inputs of fuzz/regress/, then fuzzes each harness for
# TIME_SECONDS and prints its executions and coverage (libFuzzer's final
# stat::number_of_executed_units and last cov:/ft: figures).
#
# Exit status: 0 clean; 1 a harness crashed, leaked, hit UB or timed out
# (the reproducer is under $FUZZ_DIR/artifacts), or a regression input
# still fails; 2 build error; 77 no clang with libFuzzer (skipped).
#
# Environment:
#   SRCDIR       source tree (default: this script's ..)
#   BUILDDIR     configured tree holding config.h (default: the current
#                directory if it has config.h, else SRCDIR)
#   FUZZ_DIR     work directory: objects, binaries, corpora, logs,
#                artifacts (default: BUILDDIR/fuzz-work)
#   CLANG        compiler (default: clang)
#   FUZZ_HARNESSES  which to run (default: "capture packet rules baseline
#                zio merge evidence")
#   FUZZ_PARALLEL   harnesses fuzzed at once (default 1)
#   FUZZ_JOBS    libFuzzer -fork=N workers per harness (default: none)
#   FUZZ_FLAGS   extra libFuzzer flags for every harness
set -u

TIME=${1:-${FUZZ_TIME:-60}}
SRCDIR=${SRCDIR:-$(cd "$(dirname "$0")/.." && pwd)}
if [ -z "${BUILDDIR:-}" ]; then
	if [ -f ./config.h ]; then BUILDDIR=$(pwd); else BUILDDIR=$SRCDIR; fi
fi
FUZZ_DIR=${FUZZ_DIR:-$BUILDDIR/fuzz-work}
CLANG=${CLANG:-clang}
ALL_HARNESSES="capture packet rules baseline zio merge evidence"
HARNESSES=${FUZZ_HARNESSES:-$ALL_HARNESSES}
PARALLEL=${FUZZ_PARALLEL:-1}
JOBS=${FUZZ_JOBS:-}
FLAGS=${FUZZ_FLAGS:-}

case $TIME in
''|*[!0-9]*) echo "usage: $0 [TIME_SECONDS]" >&2; exit 64 ;;
esac
if [ ! -f "$BUILDDIR/config.h" ]; then
	echo "run-fuzz: no config.h in $BUILDDIR: run ./configure first" >&2
	exit 2
fi

# Largest input per harness: a capture of a few hundred records, one jumbo
# frame plus the link-type byte, a rule file of a few dozen rules, an nmap
# XML report of a few hundred ports, a compressed file (one pipe's worth,
# for the standard-input path), a few small captures to merge, a few
# evidence files (those of the small samples are 2-20 KB).
max_len() {
	case $1 in
	capture) echo 65536 ;;
	packet) echo 9217 ;;
	rules) echo 16384 ;;
	baseline) echo 65536 ;;
	zio) echo 65536 ;;
	merge) echo 65536 ;;
	evidence) echo 65536 ;;
	esac
}

SAN="-fsanitize=address,undefined -fno-sanitize-recover=all"
PCAP_CFLAGS=$(pkg-config --cflags libpcap 2>/dev/null || true)
PCAP_LIBS=$(pkg-config --libs libpcap 2>/dev/null || echo -lpcap)
# FUZZ_SRCDIR (a C string) is passed on its own, quoted.
SRCDEF="-DFUZZ_SRCDIR=\"$SRCDIR\""
CFLAGS="-std=c11 -g -O1 -fno-omit-frame-pointer $SAN
    -include $BUILDDIR/config.h -I$BUILDDIR -I$SRCDIR/analyzer -I$SRCDIR/fuzz
    $PCAP_CFLAGS -Wall -Wextra"
# Libraries: what configure found (every *_LIBS of the Makefile but the
# test ones, and LIBS), else libpcap and libcsv; then the compression
# libraries zio may need, each only if it links. FUZZ_LIBS overrides.
if [ -n "${FUZZ_LIBS:-}" ]; then
	LIBS=$FUZZ_LIBS
elif [ -f "$BUILDDIR/Makefile" ]; then
	# shellcheck disable=SC2016
	LIBS=$(sed -n -e '/^CHECK_LIBS *=/d' -e '/\$(/d' -e '/\.a\b/d' \
	    -e 's/^\(LIBS\|[A-Z0-9_]*_LIBS\) *= *//p' "$BUILDDIR/Makefile" |
	    tr '\n' ' ')
else
	LIBS="$PCAP_LIBS -lcsv -lm"
fi
OBJ=$FUZZ_DIR/obj
BIN=$FUZZ_DIR/bin
mkdir -p "$OBJ" "$BIN" "$FUZZ_DIR/corpus" "$FUZZ_DIR/logs" \
    "$FUZZ_DIR/artifacts" || exit 2

# ---- toolchain check ----
probe=$FUZZ_DIR/probe
printf '%s\n' '#include <stddef.h>' '#include <stdint.h>' \
    'int LLVMFuzzerTestOneInput(const uint8_t *d, size_t n);' \
    'int LLVMFuzzerTestOneInput(const uint8_t *d, size_t n)' \
    '{ (void)d; (void)n; return 0; }' >"$probe.c"
if ! $CLANG -fsanitize=fuzzer,address,undefined -o "$probe" "$probe.c" \
    >/dev/null 2>&1; then
	echo "run-fuzz: skipped: $CLANG cannot build libFuzzer targets" >&2
	exit 77
fi
# Coverage ignore list (clang >= 13): keeps set-up loops uninstrumented.
IGNORE="-fsanitize-coverage-ignorelist=$SRCDIR/fuzz/coverage-ignore.txt"
$CLANG -fsanitize=fuzzer-no-link "$IGNORE" -c -o "$probe.o" "$probe.c" \
    >/dev/null 2>&1 || IGNORE=
if [ -z "${FUZZ_LIBS:-}" ]; then
	for l in -lz -lbz2 -llzma -lzstd -lpthread; do
		case " $LIBS " in *" $l "*) continue ;; esac
		$CLANG -fsanitize=fuzzer -o "$probe" "$probe.c" "$l" \
		    >/dev/null 2>&1 && LIBS="$LIBS $l"
	done
fi
rm -f "$probe" "$probe.c" "$probe.o"

# ---- build ----
echo "run-fuzz: building in $FUZZ_DIR"
rm -f "$OBJ"/*.o
fail=0
ncpu=$(getconf _NPROCESSORS_ONLN 2>/dev/null || echo 2)
i=0
for src in "$SRCDIR"/analyzer/*.c "$SRCDIR"/fuzz/fuzz-common.c; do
	case $(basename "$src") in main.c) continue ;; esac
	# shellcheck disable=SC2086
	$CLANG $CFLAGS "$SRCDEF" -fsanitize=fuzzer-no-link $IGNORE -c "$src" \
	    -o "$OBJ/$(basename "$src" .c).o" &
	i=$((i + 1))
	if [ $((i % ncpu)) -eq 0 ]; then wait; fi
done
wait
for src in "$SRCDIR"/analyzer/*.c "$SRCDIR"/fuzz/fuzz-common.c; do
	case $(basename "$src") in main.c) continue ;; esac
	[ -f "$OBJ/$(basename "$src" .c).o" ] || fail=1
done
if [ $fail -ne 0 ]; then
	echo "run-fuzz: compiling the analyzer failed" >&2
	exit 2
fi
for h in $ALL_HARNESSES; do
	# shellcheck disable=SC2086
	if ! $CLANG $CFLAGS "$SRCDEF" -fsanitize=fuzzer -o "$BIN/fuzz-$h" \
	    "$SRCDIR/fuzz/fuzz-$h.c" "$OBJ"/*.o $LIBS; then
		echo "run-fuzz: building fuzz-$h failed" >&2
		exit 2
	fi
done
# shellcheck disable=SC2086
if ! ${CC:-cc} -O1 -o "$BIN/pcap-split" "$SRCDIR/fuzz/pcap-split.c" \
    $PCAP_CFLAGS $PCAP_LIBS; then
	echo "run-fuzz: building pcap-split failed" >&2
	exit 2
fi

# ---- seeds and dictionary ----
# The evidence seeds are made by the built portsleuth (`make fuzz` builds
# it first); without it seeds.sh leaves them out.
PORTSLEUTH=${PORTSLEUTH:-$BUILDDIR/analyzer/portsleuth}
export SRCDIR PORTSLEUTH
"$SRCDIR/fuzz/seeds.sh" "$FUZZ_DIR/corpus" "$BIN/pcap-split"
export PORTSLEUTH_RULES_DIR="${PORTSLEUTH_RULES_DIR:-$SRCDIR/rules}"
export ASAN_OPTIONS="${ASAN_OPTIONS:-detect_leaks=1:abort_on_error=0}"
export UBSAN_OPTIONS="${UBSAN_OPTIONS:-print_stacktrace=1:halt_on_error=1}"
dict_of() {
	case $1 in
	rules) echo "-dict=$FUZZ_DIR/rules.dict" ;;
	baseline) echo "-dict=$SRCDIR/fuzz/baseline.dict" ;;
	esac
}
# The harnesses write what depends on the sources: the rules dictionary
# and baselines in portsleuth's own XML and CSV.
mkdir -p "$FUZZ_DIR/empty" "$FUZZ_DIR/corpus/baseline"
FUZZ_RULES_DICT=$FUZZ_DIR/rules.dict "$BIN/fuzz-rules" -runs=0 \
    "$FUZZ_DIR/empty" >/dev/null 2>&1
FUZZ_BASELINE_SEEDS=$FUZZ_DIR/corpus/baseline "$BIN/fuzz-baseline" \
    -runs=0 "$FUZZ_DIR/empty" >/dev/null 2>&1
# Compressed files made with the libraries, and capture sets to merge.
mkdir -p "$FUZZ_DIR/corpus/zio" "$FUZZ_DIR/corpus/merge"
FUZZ_ZIO_SEEDS=$FUZZ_DIR/corpus/zio "$BIN/fuzz-zio" -runs=0 \
    "$FUZZ_DIR/empty" >/dev/null 2>&1
FUZZ_MERGE_SEEDS=$FUZZ_DIR/corpus/merge "$BIN/fuzz-merge" -runs=0 \
    "$FUZZ_DIR/empty" >/dev/null 2>&1

# ---- regression inputs: each must run clean ----
status=0
for h in $HARNESSES; do
	for f in "$SRCDIR"/fuzz/regress/"$h"-*; do
		[ -f "$f" ] || continue
		if FUZZ_PACKET_BATCH=1 "$BIN/fuzz-$h" "$f" \
		    >"$FUZZ_DIR/logs/regress-$(basename "$f").log" 2>&1; then
			echo "regress: $(basename "$f"): ok"
		else
			echo "regress: $(basename "$f"): FAILS" \
			    "(log: $FUZZ_DIR/logs/regress-$(basename "$f").log)"
			status=1
		fi
	done
done

# ---- fuzzing ----
run_one() {
	h=$1
	art=$FUZZ_DIR/artifacts/$h
	mkdir -p "$art" "$FUZZ_DIR/corpus/$h"
	fork=
	[ -n "$JOBS" ] && fork="-fork=$JOBS -ignore_crashes=0"
	# shellcheck disable=SC2046,SC2086
	"$BIN/fuzz-$h" -max_total_time="$TIME" -max_len="$(max_len "$h")" \
	    -timeout=10 -rss_limit_mb=2048 -print_final_stats=1 \
	    -artifact_prefix="$art/" $(dict_of "$h") $fork $FLAGS \
	    "$FUZZ_DIR/corpus/$h" \
	    >"$FUZZ_DIR/logs/$h.log" 2>&1
	echo $? >"$FUZZ_DIR/logs/$h.rc"
}
report() {
	h=$1
	log=$FUZZ_DIR/logs/$h.log
	rc=$(cat "$FUZZ_DIR/logs/$h.rc" 2>/dev/null || echo 1)
	execs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$log" |
	    tail -n 1)
	cov=$(grep -o 'cov: [0-9]* ft: [0-9]*' "$log" | tail -n 1)
	corp=$(grep -o 'corp: [0-9]*/[0-9a-zA-Z]*' "$log" | tail -n 1)
	printf '%-8s %6ss  execs %-10s %-22s %-16s %s\n' "$h" "$TIME" \
	    "${execs:-?}" "${cov:-cov: ?}" "${corp:-corp: ?}" \
	    "$([ "$rc" = 0 ] && echo ok || echo "FAILED (rc $rc)")"
	if [ "$rc" != 0 ]; then
		grep -E '^(==[0-9]+==ERROR|SUMMARY|.*runtime error)' "$log" |
		    head -n 5 | sed 's/^/    /'
		for a in "$FUZZ_DIR/artifacts/$h"/*; do
			[ -f "$a" ] && echo "    artifact: $a"
		done
		return 1
	fi
	return 0
}

echo "run-fuzz: fuzzing each harness for ${TIME}s (logs: $FUZZ_DIR/logs)"
n=0
for h in $HARNESSES; do
	run_one "$h" &
	n=$((n + 1))
	if [ $((n % PARALLEL)) -eq 0 ]; then wait; fi
done
wait
echo "harness  time     executions        coverage               corpus"
for h in $HARNESSES; do
	report "$h" || status=1
done
exit $status
