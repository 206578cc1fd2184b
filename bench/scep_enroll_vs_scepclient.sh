#!/usr/bin/env bash
# Benchmark: `certkeeper scep enroll` vs micromdm's `scepclient` (Debian package `scep`), both
# enrolling against the same micromdm `scepserver` on 127.0.0.1 with the same pre-generated
# RSA-2048 key. Runs are interleaved (ours, theirs, ours, ...) so that drift hits both alike.
# Measures whole-process wall time and peak RSS (GNU time) and prints medians and ratios.
#
# usage: bench/scep_enroll_vs_scepclient.sh [RUNS]     (default 20 each; needs a release build:
#        scripts/build release)
set -euo pipefail
cd "$(dirname "$0")/.."
runs=${1:-20}
ck=$PWD/build/release/apps/certkeeper/certkeeper
[ -x "$ck" ] || { echo "bench: build first: scripts/build release" >&2; exit 2; }
for tool in scepserver scepclient /usr/bin/time python3; do
    command -v "$tool" >/dev/null || { echo "bench: $tool missing (scripts/install-deps)" >&2; exit 2; }
done
. tests/integration/lib.sh
cd "$work"

scepserver ca -init -depot depot -keySize 2048 >/dev/null 2>&1
port=$(free_port)
scepserver -depot depot -port "$port" -challenge bench -allowrenew 0 >server.log 2>&1 &
pids+=($!)
wait_port "$port"
url="http://127.0.0.1:$port/scep"
fp=$(fingerprint depot/ca.pem)
openssl genpkey -algorithm RSA -pkeyopt rsa_keygen_bits:2048 -out key.pem 2>/dev/null
# scepclient reads a traditional (PKCS#1) RSA key; ours reads either. Same key material.
openssl rsa -in key.pem -traditional -out key-pkcs1.pem 2>/dev/null

measure() {  # OUTPUT_FILE CMD...: appends "milliseconds max_rss_kib"
    # Wall time from bash's microsecond clock (GNU time's %e has 10 ms steps); the few
    # microseconds GNU time itself adds are the same for both tools.
    local out=$1; shift
    local start=$EPOCHREALTIME
    /usr/bin/time -f '%M' -o "$work/t" "$@" >/dev/null 2>"$work/err" || {
        echo "bench: command failed: $*" >&2; cat "$work/err" >&2; exit 1; }
    local end=$EPOCHREALTIME
    awk -v s="$start" -v e="$end" -v m="$(cat "$work/t")" 'BEGIN { printf "%.3f %d\n", (e - s) * 1000, m }' >> "$out"
}

echo "bench: $runs interleaved enrolments each against scepserver on $url" >&2
for i in $(seq "$runs"); do
    measure ours.txt "$ck" scep enroll --url "$url" --fingerprint "$fp" --key key.pem \
        --subject "CN=bench-ours-$i,O=bench" --challenge bench --cert-out "ours-$i.pem"
    # scepclient keeps csr.pem and self.pem next to its key and reuses them: one fresh
    # directory per run, so that it builds its request and signer every time, as we do.
    mkdir "theirs-$i"
    cp key-pkcs1.pem "theirs-$i/key.pem"
    measure theirs.txt scepclient -server-url "$url" -ca-fingerprint "$(tr -d : <<<"${fp#sha256:}" | tr A-F a-f)" \
        -private-key "theirs-$i/key.pem" -certificate "theirs-$i/cert.pem" -challenge bench \
        -cn "bench-theirs-$i" -organization bench
    printf '\rbench: run %d/%d' "$i" "$runs" >&2
done
echo >&2
for f in ours-*.pem theirs-*/cert.pem; do
    openssl verify -CAfile depot/ca.pem "$f" >/dev/null || { echo "bench: $f does not verify" >&2; exit 1; }
done

median() { sort -n | awk '{a[NR]=$1} END {print (NR%2) ? a[(NR+1)/2] : (a[NR/2]+a[NR/2+1])/2}'; }
ow=$(cut -d' ' -f1 ours.txt | median); tw=$(cut -d' ' -f1 theirs.txt | median)
orss=$(cut -d' ' -f2 ours.txt | median); trss=$(cut -d' ' -f2 theirs.txt | median)
printf '\n%-26s %14s %16s\n' "" "median wall" "median peak RSS"
printf '%-26s %11s ms %12s KiB\n' "certkeeper scep enroll" "$ow" "$orss"
printf '%-26s %11s ms %12s KiB\n' "micromdm scepclient 2.1.0" "$tw" "$trss"
awk -v ow="$ow" -v tw="$tw" -v orss="$orss" -v trss="$trss" 'BEGIN {
    printf "ratio (certkeeper / scepclient): wall %.2fx, peak RSS %.2fx\n", (tw > 0 ? ow / tw : 0), orss / trss }'
