#!/bin/sh
# SPDX-License-Identifier: MIT
#
# fuzz/run-all.sh [SECONDS]: from a clean clone, builds the libFuzzer binaries
# (clang, -Dfuzzing=true, ASan+UBSan, in build-fuzz/) and runs every fuzzer of
# fuzz/harnesses.txt for SECONDS (default 10) on a scratch copy of its seed
# corpus and regression inputs, with its dictionary. Exits non-zero when any
# fuzzer finds something; the input that did it stays in
# fuzz-artifacts/NAME/ (crash-*, leak-*, timeout-*, oom-*), with the log.
# run-all.sh --build: only builds them (fuzz/long_run.py).
set -eu
cd "$(dirname "$0")/.."
secs=${1:-10}
export PATH="/usr/bin:$PATH"
if ! command -v clang > /dev/null; then
   echo "run-all.sh: needs clang and libclang-rt-14-dev (scripts/install-deps.sh)" >&2
   exit 2
fi
if [ ! -d build-fuzz ]; then
   CC=clang meson setup build-fuzz -Dfuzzing=true -Db_sanitize=address,undefined -Db_lundef=false -Dtests=false \
      -Dbuildtype=debugoptimized
fi
ninja -C build-fuzz fuzzers
[ "$secs" = --build ] && exit 0

status=0
mkdir -p fuzz-artifacts
grep -v '^#' fuzz/harnesses.txt | while read -r name source proto mutator skip; do
   work=build-fuzz/fuzz-corpus/$name
   art=fuzz-artifacts/$name
   rm -rf "$work"
   mkdir -p "$work" "$art"
   cp fuzz/corpus/"$name"/* "$work"/
   if [ -d fuzz/regressions/"$name" ]; then
      cp fuzz/regressions/"$name"/* "$work"/
   fi
   ret=0
   build-fuzz/fuzz/fuzz-"$name" -max_total_time="$secs" -timeout=10 -rss_limit_mb=2048 \
      -dict=generated/fuzz/"$proto".dict -artifact_prefix="$art"/ -print_final_stats=1 \
      "$work" > "$art"/log 2>&1 || ret=$?
   execs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$art"/log)
   rate=$(sed -n 's/^stat::average_exec_per_sec: *//p' "$art"/log)
   if [ "$ret" -ne 0 ]; then
      echo "FOUND $name (exit $ret): $(ls "$art" | grep -v '^log$' | tr '\n' ' ')see $art/log"
      echo "$name" >> fuzz-artifacts/FOUND
   else
      echo "ok    $name: ${execs:-?} runs, ${rate:-?} exec/s"
      rm -rf "$art"
   fi
done
if [ -s fuzz-artifacts/FOUND ]; then
   echo "run-all.sh: findings in $(tr '\n' ' ' < fuzz-artifacts/FOUND)(fuzz-artifacts/)" >&2
   rm -f fuzz-artifacts/FOUND
   status=1
fi
exit "$status"
