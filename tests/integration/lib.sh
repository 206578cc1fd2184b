# Shared helpers for the integration tests: real peers started on 127.0.0.1, cleaned up on exit.
# Source it; it sets -u and pipefail, a work dir in $work and check/pass/fail counters.
set -uo pipefail
work=$(mktemp -d "${TMPDIR:-/tmp}/certkeeper-it.XXXXXX")
pids=()
passed=0
failed=0
cleanup() {
    for p in "${pids[@]}"; do kill "$p" 2>/dev/null; done
    wait 2>/dev/null
    rm -rf "$work"
}
trap cleanup EXIT

free_port() {
    python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'
}

# free_port_run N: the first of N consecutive free ports (for peers that derive ports from a base).
free_port_run() {
    python3 - "$1" <<'PY'
import socket, sys
n = int(sys.argv[1])
while True:
    held = []
    try:
        s = socket.socket(); s.bind(("127.0.0.1", 0)); held.append(s)
        base = s.getsockname()[1]
        for p in range(base + 1, base + n):
            s = socket.socket(); s.bind(("127.0.0.1", p)); held.append(s)
        print(base)
        break
    except (OSError, OverflowError):
        pass
    finally:
        for s in held:
            s.close()
PY
}

# wait_port PORT: up to 10 s for a listener on 127.0.0.1:PORT.
wait_port() {
    for _ in $(seq 100); do
        (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null && return 0
        sleep 0.1
    done
    echo "nothing listens on 127.0.0.1:$1" >&2
    return 1
}

# wait_listen PORT: up to 10 s for a listening socket on PORT, found without connecting to it
# (`openssl ocsp` 3.0 as a responder spins forever on a connection closed before a request).
wait_listen() {
    local hex
    hex=$(printf ':%04X' "$1")
    for _ in $(seq 100); do
        awk -v p="$hex" '$4 == "0A" && substr($2, length($2) - 4) == p { f = 1 } END { exit !f }' \
            /proc/net/tcp /proc/net/tcp6 2>/dev/null && return 0
        sleep 0.1
    done
    echo "nothing listens on port $1" >&2
    return 1
}

ok() { passed=$((passed + 1)); printf 'ok   %s\n' "$1"; }
not_ok() { failed=$((failed + 1)); printf 'FAIL %s\n' "$1"; [ $# -gt 1 ] && printf '%s\n' "$2" | sed 's/^/     /'; }

# expect NAME WANT_EXIT CMD...: runs CMD, records pass/fail on its exit code; output in $out.
expect() {
    local name=$1 want=$2; shift 2
    out=$("$@" 2>&1)
    local got=$?
    if [ "$got" -eq "$want" ]; then ok "$name"; else not_ok "$name (exit $got, want $want)" "$out"; fi
}

# assert NAME CMD...: passes if CMD succeeds.
assert() {
    local name=$1; shift
    local o
    if o=$("$@" 2>&1); then ok "$name"; else not_ok "$name" "$o"; fi
}

fingerprint() { echo "sha256:$(openssl x509 -in "$1" -noout -fingerprint -sha256 | cut -d= -f2)"; }

# same_key CERT KEY: the certificate carries KEY's public key.
same_key() {
    [ "$(openssl x509 -in "$1" -noout -pubkey)" = "$(openssl pkey -in "$2" -pubout)" ]
}

finish() {
    echo "$1: $passed passed, $failed failed"
    [ "$failed" -eq 0 ]
}
