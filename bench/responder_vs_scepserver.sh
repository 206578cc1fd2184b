#!/usr/bin/env bash
# Benchmark: `certkeeper-responder serve` vs micromdm's `scepserver` 2.1.0 (Debian package `scep`),
# both with a fresh RSA-2048 CA, each receiving N enrolments from CONCURRENCY parallel micromdm
# `scepclient` processes on 127.0.0.1 (scepclient encrypts with single DES: ours runs with
# --legacy-des). The RSA-2048 client keys (traditional PKCS#1 PEM, which scepclient reads) are
# made once and kept in a cache directory; the same keys go to both servers. Two rounds in
# opposite orders (ours, scepserver, scepserver, ours), each on a fresh CA, so drift hits both
# alike and no request is ever a resend.
#
# Measured per server: wall time until all N clients hold a certificate (enrolments/s over both
# rounds; an enrolment that fails is run again, up to 4 more passes, inside the timing), peak RSS
# of the server process (VmHWM, read just before it is stopped) and its CPU time per enrolment.
# Checked for each run: every certificate verifies against the CA (`openssl verify`), carries its
# client's key, and the serials are distinct; the CA recorded N (ours: `certkeeper-responder cert
# list --json`, scepserver: depot/index.txt lines). Our responder must pass all of it on the first
# pass. scepserver 2.1.0's file depot is not safe for concurrent requests (depot/serial is read and
# rewritten without a lock): under CONCURRENCY > 1 some requests fail ("could not convert to
# serial number", "open depot/serial: file exists") and many certificates share a serial. That
# is reported (failed attempts, enrolments still missing after 5 passes, duplicate serials), not
# fatal; its rate counts the enrolments that completed.
# Also `openssl speed rsa2048`, and our rate as a fraction of the RSA private-operation bound
# (sign/s x cores / 3: decrypt the request's key transport, sign the certificate, sign the
# CertRep). The scepclient processes share the same cores (2 private operations each plus a Go
# process start), so on this machine the clients, not the server, set the rate.
#
# usage: bench/responder_vs_scepserver.sh [N] [CONCURRENCY]     (defaults 500 and 8)
#        binaries from build/release (scripts/build release), or CERTKEEPER_BUILD=DIR;
#        keys cached in CERTKEEPER_BENCH_KEYS (default ~/.cache/certkeeper/bench-rsa2048);
#        CERTKEEPER_SERVE_ARGS="--threads 8" adds options to our `serve`; TMPDIR=/dev/shm puts
#        both CAs on tmpfs (no fsync cost: scepserver never syncs, our SQLite store does)
set -euo pipefail
cd "$(dirname "$0")/.."
n=${1:-500}
conc=${2:-8}
build=${CERTKEEPER_BUILD:-build/release}
responder=$PWD/$build/apps/certkeeper-responder/certkeeper-responder
keys=${CERTKEEPER_BENCH_KEYS:-${XDG_CACHE_HOME:-$HOME/.cache}/certkeeper/bench-rsa2048}
[ -x "$responder" ] || { echo "bench: build first: scripts/build release ($responder missing)" >&2; exit 2; }
for tool in scepserver scepclient openssl python3 xargs; do
    command -v "$tool" >/dev/null || { echo "bench: $tool missing (scripts/install-deps)" >&2; exit 2; }
done
. tests/integration/lib.sh
cd "$work"
cores=$(nproc)
challenge=bench-challenge

hex_fingerprint() {  # CERT: lower-case SHA-256 hex without colons (scepclient's -ca-fingerprint)
    openssl x509 -in "$1" -noout -fingerprint -sha256 | cut -d= -f2 | tr -d : | tr A-F a-f
}

# check.py KEYDIR RUN N: reads KEYDIR/I.key and RUN/c/I/cert.pem (DER walked by hand, no module
# needed) and prints "WRITTEN WRONG_KEY DISTINCT_SERIALS".
cat >check.py <<'PY'
import base64, re, sys

def der(path):
    m = re.search(r"-----BEGIN [^-]+-----(.*?)-----END", open(path).read(), re.S)
    return base64.b64decode("".join(m.group(1).split()))

def tlv(b, i):  # -> (tag, content start, content end)
    tag, length, i = b[i], b[i + 1], i + 2
    if length & 0x80:
        k = length & 0x7F
        length, i = int.from_bytes(b[i:i + k], "big"), i + k
    return tag, i, i + length

def kids(b, start, end):
    out = []
    while start < end:
        out.append(tlv(b, start))
        start = out[-1][2]
    return out

def key_modulus(d):  # RSAPrivateKey ::= SEQUENCE { version, modulus, ... }
    _, s, e = tlv(d, 0)
    _, ms, me = kids(d, s, e)[1]
    return d[ms:me]

def cert_serial_modulus(d):
    _, s, e = tlv(d, 0)
    _, ts, te = kids(d, s, e)[0]
    f = kids(d, ts, te)
    if f[0][0] == 0xA0:  # [0] version
        f = f[1:]
    serial = d[f[0][1]:f[0][2]]
    _, bs, be = kids(d, f[5][1], f[5][2])[1]  # subjectPublicKeyInfo's BIT STRING
    _, rs, re_ = tlv(d, bs + 1)               # RSAPublicKey, after the unused-bits byte
    _, ms, me = kids(d, rs, re_)[0]
    return serial, d[ms:me]

keydir, run, n = sys.argv[1], sys.argv[2], int(sys.argv[3])
written = wrong = 0
serials = set()
for i in range(1, n + 1):
    try:
        cert = der("%s/c/%d/cert.pem" % (run, i))
    except OSError:
        continue
    written += 1
    serial, modulus = cert_serial_modulus(cert)
    serials.add(serial)
    wrong += modulus != key_modulus(der("%s/%d.key" % (keydir, i)))
print(written, wrong, len(serials))
PY

echo "bench: openssl speed -seconds 3 rsa2048 (one core)" >&2
openssl speed -seconds 3 rsa2048 >speed.txt 2>/dev/null
read -r rsa_sign rsa_verify < <(awk '/^rsa 2048 bits/ { print $6, $7 }' speed.txt) || true
[ -n "${rsa_sign:-}" ] || { echo "bench: cannot parse openssl speed output" >&2; cat speed.txt >&2; exit 1; }

mkdir -p "$keys"
missing=$(for i in $(seq "$n"); do [ -s "$keys/$i.key" ] || echo "$i"; done)
if [ -n "$missing" ]; then
    echo "bench: generating $(wc -l <<<"$missing") RSA-2048 client keys into $keys" >&2
    # Written under a temporary name and renamed, so an interrupted run leaves no half key.
    # shellcheck disable=SC2016  # expanded by the inner sh
    xargs -P "$cores" -I{} sh -c 'openssl genrsa -traditional -out "$0/$1.key.tmp" 2048 2>/dev/null &&
        mv "$0/$1.key.tmp" "$0/$1.key"' "$keys" {} <<<"$missing"
fi

# enrol_all RUN URL FINGERPRINT: N scepclient enrolments, CONCURRENCY at a time, client I in RUN/c/I
# (scepclient writes csr.pem and self.pem beside its key and reuses them on its next start, so
# every client of every run needs a directory of its own). Enrolments that fail are run again
# (4 more passes at most). Sets $elapsed (seconds) and $failures (failed attempts).
enrol_all() {
    local run=$1 url=$2 fp=$3 start end i todo
    for i in $(seq "$n"); do
        mkdir -p "$run/c/$i"
        cp "$keys/$i.key" "$run/c/$i/key.pem"
    done
    failures=0
    todo=$(seq "$n")
    start=$EPOCHREALTIME
    for _ in 1 2 3 4 5; do
        xargs -P "$conc" -I{} scepclient -server-url "$url" -ca-fingerprint "$fp" \
            -private-key "$run/c/{}/key.pem" -certificate "$run/c/{}/cert.pem" \
            -challenge "$challenge" -cn "bench{}" <<<"$todo" >>"$run/clients.log" 2>&1 || true
        todo=$(for i in $todo; do [ -s "$run/c/$i/cert.pem" ] || echo "$i"; done)
        [ -z "$todo" ] && break
        failures=$((failures + $(wc -l <<<"$todo")))
    done
    end=$EPOCHREALTIME
    elapsed=$(awk -v s="$start" -v e="$end" 'BEGIN { printf "%.3f", e - s }')
}

# server_stats PID: "VmHWM_KiB cpu_seconds" of a running process.
server_stats() {
    local hwm ticks
    hwm=$(awk '/^VmHWM:/ { print $2 }' "/proc/$1/status")
    ticks=$(awk '{ print $14 + $15 }' "/proc/$1/stat")
    echo "$hwm $(awk -v t="$ticks" -v hz="$(getconf CLK_TCK)" 'BEGIN { printf "%.2f", t / hz }')"
}

stop() {  # PID: SIGTERM and wait
    if kill "$1"; then wait "$1" 2>/dev/null || true; fi
}

# check_run WHO RUN CA_PEM RECORDED: verifies the run's certificates; appends its results line
# "WHO elapsed_s hwm_kib cpu_s failed_attempts written distinct_serials recorded".
check_run() {
    local who=$1 run=$2 ca=$3 recorded=$4 written wrong distinct ok
    read -r written wrong distinct < <(python3 check.py "$keys" "$run" "$n")
    ok=$(find "$run/c" -name cert.pem -print0 | xargs -0 -r openssl verify -CAfile "$ca" 2>&1 |
        grep -c ': OK$' || true)
    local problems=()
    [ "$who" = theirs ] || [ "$written" -eq "$n" ] || problems+=("$written of $n clients got a certificate")
    [ "$ok" -eq "$written" ] || problems+=("only $ok of $written certificates verify")
    [ "$wrong" -eq 0 ] || problems+=("$wrong certificates do not carry their client's key")
    if [ ${#problems[@]} -gt 0 ]; then
        printf 'bench: %s: %s\n' "$run" "${problems[@]}" >&2
        grep -v 'level=info' "$run/clients.log" | sort | uniq -c | sort -rn | head -5 >&2
        exit 1
    fi
    if [ "$who" = ours ] && { [ "$failures" -ne 0 ] || [ "$distinct" -ne "$n" ] || [ "$recorded" -ne "$n" ]; }; then
        echo "bench: $run: certkeeper-responder: $failures failed attempts, $distinct distinct serials," \
            "$recorded recorded (want 0, $n, $n)" >&2
        grep -v 'level=info' "$run/clients.log" | sort | uniq -c | sort -rn | head -5 >&2
        exit 1
    fi
    echo "$who $elapsed $stats $failures $written $distinct $recorded" >>results.txt
}

run_ours() {  # ROUND
    local run=$work/ours-$1 dir=$work/ours-$1/ca port pid recorded
    mkdir "$run"
    "$responder" init --dir "$dir" --key rsa:2048 >/dev/null
    port=$(free_port)
    # shellcheck disable=SC2086  # extra serve options, split on purpose
    "$responder" serve --dir "$dir" --port "$port" --challenge "$challenge" --legacy-des \
        ${CERTKEEPER_SERVE_ARGS:-} >"$run/server.log" 2>&1 &
    pid=$!
    pids+=("$pid")
    wait_port "$port" || { cat "$run/server.log" >&2; exit 1; }
    enrol_all "$run" "http://127.0.0.1:$port/scep" "$(hex_fingerprint "$dir/ca.pem")"
    stats=$(server_stats "$pid")
    stop "$pid"
    recorded=$("$responder" cert list --dir "$dir" --json |
        python3 -c 'import json, sys; print(len(json.load(sys.stdin)))')
    if [ "$recorded" -eq 1000 ] && [ "$n" -gt 1000 ]; then
        echo "bench: note: \`certkeeper-responder cert list\` prints at most 1000 certificates" >&2
    fi
    check_run ours "$run" "$dir/ca.pem" "$recorded"
}

run_theirs() {  # ROUND
    local run=$work/theirs-$1 depot=$work/theirs-$1/depot port pid
    mkdir "$run"
    (cd "$run" && scepserver ca -init -depot depot -keySize 2048 >/dev/null 2>&1)
    port=$(free_port)
    scepserver -depot "$depot" -port "$port" -challenge "$challenge" -allowrenew 0 \
        >"$run/server.log" 2>&1 &
    pid=$!
    pids+=("$pid")
    wait_port "$port" || { cat "$run/server.log" >&2; exit 1; }
    enrol_all "$run" "http://127.0.0.1:$port/scep" "$(hex_fingerprint "$depot/ca.pem")"
    stats=$(server_stats "$pid")
    stop "$pid"
    check_run theirs "$run" "$depot/ca.pem" "$(wc -l <"$depot/index.txt")"
}

echo "bench: $n enrolments per run, $conc scepclient processes in parallel, $cores cores," \
    "load average $(cut -d' ' -f1-3 /proc/loadavg)" >&2
for step in "1 ours" "1 theirs" "2 theirs" "2 ours"; do
    read -r round who <<<"$step"
    "run_$who" "$round"
    tail -1 results.txt | awk -v r="$round" -v n="$n" '{
        printf "bench: round %s %-6s %7.2f s %7.1f enrolments/s  peak RSS %6d KiB  server CPU %5.2f s" \
               "  failed attempts %d  completed %d  distinct serials %d  recorded %d\n",
            r, $1, $2, $6 / $2, $3, $4, $5, $6, $7, $8 }' >&2
done

awk -v n="$n" -v conc="$conc" -v sign="$rsa_sign" -v verify="$rsa_verify" -v cores="$cores" '
    { t[$1] += $2; runs[$1]++; if ($3 > rss[$1]) rss[$1] = $3; cpu[$1] += $4
      fails[$1] += $5; done[$1] += $6; missing[$1] += n - $6; dups[$1] += $6 - $7 }
    END {
        for (s in t) { rate[s] = done[s] / t[s]; cpums[s] = 1000 * cpu[s] / done[s] }
        printf "\n%d enrolments x %d rounds per server, %d clients in parallel\n", n, runs["ours"], conc
        printf "%-26s %13s %13s %17s %16s %8s %18s\n", "", "enrolments/s", "peak RSS", "server CPU/enrol",
            "failed attempts", "missing", "duplicate serials"
        printf "%-26s %13.1f %9d KiB %14.2f ms %16d %8d %18d\n", "certkeeper-responder", rate["ours"],
            rss["ours"], cpums["ours"], fails["ours"], missing["ours"], dups["ours"]
        printf "%-26s %13.1f %9d KiB %14.2f ms %16d %8d %18d\n", "micromdm scepserver 2.1.0", rate["theirs"],
            rss["theirs"], cpums["theirs"], fails["theirs"], missing["theirs"], dups["theirs"]
        printf "ratio (certkeeper / scepserver): enrolments/s %.2fx, peak RSS %.2fx, server CPU/enrol %.2fx\n",
            rate["ours"] / rate["theirs"], rss["ours"] / rss["theirs"], cpums["ours"] / cpums["theirs"]
        bound = sign * cores / 3
        printf "openssl speed rsa2048: %.1f sign/s, %.1f verify/s (one core); %d cores\n", sign, verify, cores
        printf "RSA-2048 bound, 3 private operations per enrolment: %.1f enrolments/s; ours reaches %.3f of it\n",
            bound, rate["ours"] / bound
    }' results.txt
