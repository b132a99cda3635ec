#!/usr/bin/env bash
# SPDX-License-Identifier: BSD-3-Clause
# Run one libFuzzer target for a bounded time (URSA_FUZZ_SECONDS, default 60) on a scratch
# copy of its seed corpus, so CI never writes into the source tree. Crashes fail the test.
set -euo pipefail
bin=$(realpath "$1") seeds=$(realpath "$2")
secs=${URSA_FUZZ_SECONDS:-60}
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
cp -r "$seeds"/. "$work"/
cd "$work"
exec "$bin" -max_total_time="$secs" -rss_limit_mb=4096 -max_len=9000 -timeout=10 \
	-print_final_stats=1 "$work"
