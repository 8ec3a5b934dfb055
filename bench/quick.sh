#!/usr/bin/env bash
# `make bench-quick`: every benchmark (each bench-<name> target of bench/*/Makefile.fragment) once in its
# quick mode (BENCH_QUICK=1), as CI runs them. A benchmark fails the run when its target fails or when its
# last line is not `BENCH <name> …`. Prints each one's time and, at the end, every BENCH line.
# Usage: bench/quick.sh bench-care bench-dashboard …   (the Makefile passes $(BENCH_TARGETS))
set -uo pipefail
cd "$(dirname "$0")/.."

MAKE="${MAKE:-make}"
out="bench/out/quick"
mkdir -p "$out"
start=$(date +%s)
failed=()
lines=()
for target in "$@"; do
    name="${target#bench-}"
    log="$out/$name.log"
    echo "== $target (BENCH_QUICK=1)"
    t0=$(date +%s)
    BENCH_QUICK=1 "$MAKE" --no-print-directory "$target" BENCH_QUICK=1 >"$log" 2>&1
    status=$?
    last=$(grep -v '^[[:space:]]*$' "$log" | tail -n 1)
    took=$(( $(date +%s) - t0 ))
    if [ "$status" -ne 0 ] || [[ "$last" != "BENCH $name "* ]]; then
        echo "   FAILED after ${took}s (exit $status); last lines of $log:"
        tail -n 25 "$log" | sed 's/^/   | /'
        failed+=("$target")
    else
        echo "   ${took}s  $last"
    fi
    lines+=("$last")
done
echo
echo "== quick benchmarks: $# in $(( $(date +%s) - start ))s"
printf '%s\n' "${lines[@]}"
if [ ${#failed[@]} -gt 0 ]; then
    echo "FAILED: ${failed[*]}"
    exit 1
fi
