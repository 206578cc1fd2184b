#!/usr/bin/env bash
# cwmp_validate: every message the CPE sends, encoded by cwmp::encode in each namespace
# (cwmp-1-0, 1-1, 1-2), must pass the official CWMP schemas via ../shared/tools/cwmp-validate.
# usage: validate.sh WRITER VALIDATOR OUT_DIR
# Exits 77 (CTest SKIP_RETURN_CODE) when ../shared is not present.
set -uo pipefail
writer=${1:?writer}; validator=${2:?validator}; out=${3:?out dir}
if [ ! -x "$validator" ]; then
    echo "skipped: ../shared not present ($validator)"
    exit 77
fi
if ! command -v xmllint >/dev/null; then
    echo "cwmp_validate: xmllint missing (apt-get install libxml2-utils)" >&2
    exit 1
fi
rm -rf "$out"
"$writer" "$out" || exit 1
"$validator" "$out"/*.xml
