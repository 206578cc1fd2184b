#!/usr/bin/env bash
# Benchmark: revocation::CrlIndex vs the OpenSSL 3 command line on one big CRL.
#
# Makes an RSA-2048 CA with the OpenSSL CLI and a CRL of N entries (default 1,000,000) the fast
# way: an `openssl ca` index.txt of N "R" lines written by awk (random 16-octet serials, every
# fourth with reason keyCompromise), then `openssl ca -gencrl`. Then, RUNS times each
# (default 3, medians):
#   parse:  `crl_lookup_bench parse big.der`          vs `openssl crl -noout -inform DER -in big.der`
#   check:  `crl_lookup_bench check big.pem ca leaf`  vs `openssl verify -crl_check -CAfile ca
#           -CRLfile big.pem leaf` (load, signature, issuer and time checks, one leaf's status;
#           both read the same PEM file, as `openssl verify` documents PEM)
# whole-process wall time and peak RSS (GNU time), and `crl_lookup_bench lookup`: every listed
# serial and as many unlisted neighbours of the same length, ns per lookup (wall, and CPU time of
# the looking-up thread, which other load on the machine inflates less).
# Goals: our time <= 1.0x OpenSSL's, our peak RSS <= 2x the CRL file, lookups < 1 us.
#
# usage: bench/crl_vs_openssl.sh [N] [RUNS]
#        crl_lookup_bench from build/release (scripts/build release), or CERTKEEPER_BUILD=DIR;
#        CERTKEEPER_CRL_BENCH_DIR=DIR keeps the generated CA and CRL there and reuses them
set -euo pipefail
cd "$(dirname "$0")/.."
n=${1:-1000000}
runs=${2:-3}
build=${CERTKEEPER_BUILD:-build/release}
bench=$PWD/$build/bench/crl_lookup_bench
[ -x "$bench" ] || { echo "bench: build first: scripts/build release ($bench missing)" >&2; exit 2; }
for tool in openssl awk /usr/bin/time; do
    command -v "$tool" >/dev/null || { echo "bench: $tool missing" >&2; exit 2; }
done
if [ -n "${CERTKEEPER_CRL_BENCH_DIR:-}" ]; then
    work=$CERTKEEPER_CRL_BENCH_DIR
    mkdir -p "$work"
else
    work=$(mktemp -d "${TMPDIR:-/tmp}/certkeeper-crl-bench.XXXXXX")
    trap 'rm -rf "$work"' EXIT
fi
cd "$work"
rm -f ./*.runs
if [ -s big.der ] && [ "$(wc -l <serials.txt)" -eq "$n" ]; then
    echo "bench: reusing the CRL in $work" >&2
else
    openssl req -x509 -newkey rsa:2048 -nodes -keyout ca.key -out ca.pem -subj "/CN=Bench CRL CA" \
        -days 3650 -addext "basicConstraints=critical,CA:TRUE" \
        -addext "keyUsage=critical,keyCertSign,cRLSign" 2>/dev/null
    openssl req -newkey rsa:2048 -nodes -keyout leaf.key -out leaf.csr -subj "/CN=bench leaf" 2>/dev/null
    # Ends in F: never listed (the listed serials end in 0-7).
    openssl x509 -req -in leaf.csr -CA ca.pem -CAkey ca.key -set_serial 0x1234567890ABCDEF1234567890ABCDEF \
        -days 365 -out leaf.pem 2>/dev/null
    cat >ca.cnf <<'EOF'
[ ca ]
default_ca = bench
[ bench ]
database = index.txt
certificate = ca.pem
private_key = ca.key
crlnumber = crlnumber
default_md = sha256
default_crl_days = 30
unique_subject = no
crl_extensions = crl_ext
[ crl_ext ]
authorityKeyIdentifier = keyid:always
EOF
    echo 01 >crlnumber
    echo "bench: writing index.txt with $n revoked serials" >&2
    # 16-octet serials in 16-bit chunks (mawk's printf is 32-bit): first octet 0x10-0x7f, so
    # positive and exactly 16 octets; last hex digit 0-7.
    awk -v n="$n" 'BEGIN {
        srand(20260101)
        for (i = 0; i < n; i++) {
            s = sprintf("%04X", 4096 + int(rand() * 28672))
            for (k = 0; k < 6; k++) s = s sprintf("%04X", int(rand() * 65536))
            s = s sprintf("%03X%X", int(rand() * 4096), int(rand() * 8))
            printf "R\t360101000000Z\t250601000000Z%s\t%s\tunknown\t/CN=d%d\n",
                (i % 4 == 0 ? ",keyCompromise" : ""), s, i > "index.txt"
            print s > "serials.txt"
        }
    }'
    echo "bench: openssl ca -gencrl" >&2
    start=$(date +%s%N)
    openssl ca -config ca.cnf -gencrl -out big.pem 2>gencrl.log || { cat gencrl.log >&2; exit 1; }
    echo "bench: gencrl took $(( ($(date +%s%N) - start) / 1000000 )) ms" >&2
    openssl crl -in big.pem -outform DER -out big.der
fi
der_size=$(stat -c %s big.der)
pem_size=$(stat -c %s big.pem)

# measure NAME CMD...: one run; appends "ms kib" to NAME.runs; the command must succeed.
measure() {
    local name=$1
    shift
    local t0 t1
    t0=$(date +%s%N)
    /usr/bin/time -f %M -o rss.txt "$@" >"$name.out" 2>&1 || { cat "$name.out" >&2; exit 1; }
    t1=$(date +%s%N)
    echo "$(( (t1 - t0) / 1000000 )) $(tail -1 rss.txt)" >>"$name.runs"
}
median() {  # FILE COLUMN
    cut -d' ' -f"$2" "$1" | sort -n | awk '{ v[NR] = $1 } END { print v[int((NR + 1) / 2)] }'
}
for _ in $(seq "$runs"); do  # interleaved, so drift hits both alike
    measure ours_parse "$bench" parse big.der
    measure ossl_parse openssl crl -noout -inform DER -in big.der
    measure ours_check "$bench" check big.pem ca.pem leaf.pem
    measure ossl_check openssl verify -crl_check -CAfile ca.pem -CRLfile big.pem leaf.pem
done
grep -q '^leaf=good' ours_check.out || { echo "bench: our check did not say good" >&2; cat ours_check.out >&2; exit 1; }
grep -q ': OK' ossl_check.out || { echo "bench: openssl verify failed" >&2; cat ossl_check.out >&2; exit 1; }
"$bench" lookup big.der serials.txt >lookup.out || { cat lookup.out >&2; exit 1; }
value() { sed -n "s/^$2=//p" "$1" | head -1; }

ratio() { awk -v a="$1" -v b="$2" 'BEGIN { printf "%.2f", (b > 0 ? a / b : 0) }'; }
mib() { awk -v k="$1" 'BEGIN { printf "%.1f", k / 1024 }'; }
verdict() { awk -v v="$1" -v g="$2" 'BEGIN { print (v <= g ? "ok" : "MISSED") }'; }
op=$(median ours_parse.runs 1); or_=$(median ours_parse.runs 2)
pp=$(median ossl_parse.runs 1); pr=$(median ossl_parse.runs 2)
oc=$(median ours_check.runs 1); ocr=$(median ours_check.runs 2)
pc=$(median ossl_check.runs 1); pcr=$(median ossl_check.runs 2)
der_kib=$(( der_size / 1024 )); pem_kib=$(( pem_size / 1024 ))
hit=$(value lookup.out hit_ns); miss=$(value lookup.out miss_ns)

echo "CRL: $(value ours_parse.out entries) entries, DER $(mib "$der_kib") MiB, PEM $(mib "$pem_kib") MiB; openssl $(openssl version | cut -d' ' -f2); $(nproc) cores, load $(cut -d' ' -f1-3 /proc/loadavg); medians of $runs runs"
printf '%-42s %9s %10s %9s %11s\n' "" "ours ms" "openssl ms" "ratio" "ours RSS"
printf '%-42s %9s %10s %8sx %7s MiB (%sx DER)  openssl %s MiB\n' "parse (DER) vs openssl crl -noout" \
    "$op" "$pp" "$(ratio "$op" "$pp")" "$(mib "$or_")" "$(ratio "$or_" "$der_kib")" "$(mib "$pr")"
printf '%-42s %9s %10s %8sx %7s MiB (%sx PEM)  openssl %s MiB\n' "load+verify+check vs openssl verify" \
    "$oc" "$pc" "$(ratio "$oc" "$pc")" "$(mib "$ocr")" "$(ratio "$ocr" "$pem_kib")" "$(mib "$pcr")"
echo "inside our process: parse $(value ours_check.out parse_ms) ms (PEM), validate $(value ours_check.out validate_ms) ms; index + DER $(( $(value ours_parse.out memory_bytes) / 1048576 )) MiB"
echo "lookups: $(value lookup.out lookups) hits at ${hit} ns, as many misses at ${miss} ns wall; CPU $(value lookup.out hit_cpu_ns) / $(value lookup.out miss_cpu_ns) ns (found $(value lookup.out found), false hits $(value lookup.out false_hits))"
echo "goals: time <= 1.0x: parse $(verdict "$(ratio "$op" "$pp")" 1.0), check $(verdict "$(ratio "$oc" "$pc")" 1.0); RSS <= 2x CRL: $(verdict "$(ratio "$or_" "$der_kib")" 2.0) (DER), $(verdict "$(ratio "$ocr" "$pem_kib")" 2.0) (PEM); lookup < 1000 ns (wall): $(verdict "$hit" 999) / $(verdict "$miss" 999)"
