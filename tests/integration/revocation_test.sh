#!/usr/bin/env bash
# `certkeeper revocation check` against real OCSP responders and CRL servers on 127.0.0.1:
#   openssl ocsp        one responder per CA of tests/data/make-revocation-pki.sh (root ->
#                       intermediate -> issuing), each signing as its CA; for the issuing CA also
#                       one with the delegated responder certificate (OCSPSigning) and one with a
#                       certificate without OCSPSigning
#   python3 http.server the CRLs (current, expired, signed by the wrong key, another issuer's)
#   python3             bad peers: one that accepts and never answers, one that streams 200 MB
#                       (with and without Content-Length), one that answers 200 with garbage
#   certkeeper-responder (when given) its /ocsp and /crl: enrol, good, revoke, revoked
# Checked: exit codes (0 good, 1 revoked, 6 unknown, 2 usage), the text line per certificate,
# --json, --method ocsp|crl|auto and the fallback, --crl and --ocsp-url overrides, --chain,
# --at, --max-age, --skew, --no-nonce, --timeout, --soft-fail, and --state-dir answering from
# the cache with every peer stopped.
# usage: revocation_test.sh CERTKEEPER_BINARY [RESPONDER_BINARY]
. "$(dirname "$0")/lib.sh"
here=$(cd "$(dirname "$0")" && pwd)
ck=${1:?usage: revocation_test.sh CERTKEEPER_BINARY [RESPONDER_BINARY]}
responder=${2-}
ck=$(realpath "$ck")
[ -n "$responder" ] && responder=$(realpath "$responder")
for tool in python3 openssl; do
    command -v "$tool" >/dev/null || { echo "revocation_test: SKIPPED, $tool is not installed"; exit 77; }
done
cd "$work"
export OPENSSL_CONF=/dev/null
skipped=()
skip() { skipped+=("$1"); printf 'SKIP %s\n' "$1"; }
section() { printf '\n== %s\n' "$1"; }

# --- bad peers (python3, standard library only) ---
cat > peers.py <<'EOF'
import http.server, os, sys, time

class Peer(http.server.BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.0"

    def read_body(self):
        n = int(self.headers.get("Content-Length") or 0)
        if n:
            self.rfile.read(n)

    def hang(self):
        """Accepts the request and never answers."""
        time.sleep(3600)

    def big(self):
        """200 MB of zeros; /stream... without Content-Length (ends when the connection closes).
        Logs how much went out before the client hung up."""
        total, sent = 200 * 1024 * 1024, 0
        chunk = b"\0" * (1 << 16)
        self.send_response(200)
        self.send_header("Content-Type", "application/pkix-crl" if self.command == "GET"
                         else "application/ocsp-response")
        if not self.path.startswith("/stream"):
            self.send_header("Content-Length", str(total))
        self.end_headers()
        try:
            while sent < total:
                self.wfile.write(chunk)
                sent += len(chunk)
            self.wfile.flush()
        except (BrokenPipeError, ConnectionResetError):
            pass
        print("%s %s sent %d" % (self.command, self.path, sent), file=sys.stderr, flush=True)

    def garbage(self):
        """200 with random bytes of the expected content type."""
        body = os.urandom(2000)
        self.send_response(200)
        self.send_header("Content-Type", "application/pkix-crl" if self.command == "GET"
                         else "application/ocsp-response")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def do_GET(self):
        getattr(self, self.server.mode)()

    def do_POST(self):
        self.read_body()
        getattr(self, self.server.mode)()

    def log_message(self, *args):
        pass

if __name__ == "__main__":
    server = http.server.ThreadingHTTPServer(("127.0.0.1", int(sys.argv[2])), Peer)
    server.daemon_threads = True
    server.mode = sys.argv[1]
    server.serve_forever()
EOF

# --- the PKI and its peers ---
ocsp_port=$(free_port_run 3)   # issuing CA; +1 intermediate; +2 root
crl_port=$(free_port)
"$here/../data/make-revocation-pki.sh" pki "$ocsp_port" "$crl_port" || exit 1
pki_made=$(date +%s)
declare -A peer_pid
# start_peer NAME PORT CMD...: CMD in the background (output in NAME.log) until it listens.
start_peer() {
    local name=$1 port=$2
    shift 2
    "$@" >"$name.log" 2>&1 &
    peer_pid[$name]=$!
    pids+=($!)
    wait_listen "$port" || { cat "$name.log"; exit 1; }
}
stop_peer() {
    kill "${peer_pid[$1]}" 2>/dev/null
    wait "${peer_pid[$1]}" 2>/dev/null
}
# openssl ocsp listens on every address (it has no bind option); the clients use 127.0.0.1. One
# process answers one request at a time; a connection closed without a request makes it spin
# (OpenSSL 3.0), hence wait_listen rather than wait_port.
ocsp_responder() {  # NAME PORT CA SIGNER
    start_peer "$1" "$2" openssl ocsp -index "pki/ca-$3/index.txt" -CA "pki/$3.pem" \
        -rsigner "pki/$4.pem" -rkey "pki/$4.key" -port "$2" -nmin 5 -ignore_err
}
delegated_port=$(free_port) badsigner_port=$(free_port)
hang_port=$(free_port) big_port=$(free_port) garbage_port=$(free_port) dead_port=$(free_port)
ocsp_responder ocsp-issuing "$ocsp_port" issuing issuing
ocsp_responder ocsp-intermediate $((ocsp_port + 1)) intermediate intermediate
ocsp_responder ocsp-root $((ocsp_port + 2)) root root
ocsp_responder ocsp-delegated "$delegated_port" issuing ocsp-signer
ocsp_responder ocsp-badsigner "$badsigner_port" issuing bad-signer
start_peer crl-server "$crl_port" python3 -m http.server --bind 127.0.0.1 --directory pki/crl "$crl_port"
start_peer hang "$hang_port" python3 peers.py hang "$hang_port"
start_peer big "$big_port" python3 peers.py big "$big_port"
start_peer garbage "$garbage_port" python3 peers.py garbage "$garbage_port"

ocsp_url="http://127.0.0.1:$ocsp_port/"
crl_base="http://127.0.0.1:$crl_port"
delegated_url="http://127.0.0.1:$delegated_port/"
badsigner_url="http://127.0.0.1:$badsigner_port/"
hang_url="http://127.0.0.1:$hang_port"
big_url="http://127.0.0.1:$big_port"
garbage_url="http://127.0.0.1:$garbage_port"
dead_url="http://127.0.0.1:$dead_port/"

check() { "$ck" revocation check "$@"; }
leaf() { check --cert "pki/$1.pem" --issuer pki/issuing.pem "${@:2}"; }
# says ERE: some line of $out matches.
says() { grep -qE -- "$1" <<<"$out"; }
# status_lines N: $out has N lines of the form "SUBJECT: good|revoked ...|unknown: ...".
status_lines() { [ "$(grep -cE ': (good|revoked at|unknown)' <<<"$out")" = "$1" ]; }
ere() { sed 's/[][\.*^$()+?{}|]/\\&/g' <<<"$1"; }  # a literal string as an ERE
# expect_json NAME WANT CMD...: as expect, with only stdout in $out (stderr in $err).
expect_json() {
    local name=$1 want=$2 got
    shift 2
    out=$("$@" 2>stderr.txt)
    got=$?
    err=$(cat stderr.txt)
    if [ "$got" -eq "$want" ]; then ok "$name"; else not_ok "$name (exit $got, want $want)" "$out$err"; fi
}
# json PY_EXPR: true for the JSON document in $out, as j (c = j["certificates"]).
json() {
    python3 - "$out" "$1" <<'EOF'
import json, re, sys
j = json.loads(sys.argv[1])
c = j.get("certificates", [])
rfc3339 = lambda s: isinstance(s, str) and re.match(r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d+)?(Z|[+-]\d\d:\d\d)$", s)
def serial_is(value, want_hex):
    """value names the serial want_hex: hex (any case, colons, 0x) or decimal."""
    s = str(value).lower().replace(":", "")
    s = s[2:] if s.startswith("0x") else s
    return s.lstrip("0") == want_hex.lower().lstrip("0") or (s.isdigit() and int(s) == int(want_hex, 16))
ok = eval(sys.argv[2])
if not ok:
    print(json.dumps(j, indent=1))
sys.exit(0 if ok else 1)
EOF
}
serial_of() { openssl x509 -in "$1" -noout -serial | cut -d= -f2; }
rfc3339_in() { date -u -d "$1" +%Y-%m-%dT%H:%M:%SZ; }
ms() { date +%s%3N; }
# timed NAME MAX_SECONDS WANT_EXIT CMD...: expect, and it must not take longer than MAX_SECONDS.
timed() {
    local name=$1 max=$2 want=$3 t0 took
    shift 3
    t0=$(ms)
    expect "$name" "$want" "$@"
    took=$(($(ms) - t0))
    if [ "$took" -le $((max * 1000)) ]; then ok "$name: took $took ms (<= $max s)"
    else not_ok "$name: took $took ms (> $max s)"; fi
}
# big_sent PATH: bytes the 200 MB peer got out for PATH (or PATH/...: OCSP by GET) before the
# client hung up (waits for the peer to notice).
big_sent() {
    local n
    for _ in $(seq 50); do
        n=$(grep -E " $1[^ ]* sent " big.log | tail -1 | awk '{print $NF}')
        [ -n "$n" ] && { echo "$n"; return; }
        sleep 0.1
    done
    echo "nothing logged for $1"
}

if "$ck" revocation check --help 2>&1 | grep -q "unknown command"; then
    not_ok "certkeeper has a 'revocation check' verb"
    finish revocation
    exit 1
fi

section "usage and unreadable input (exit 2)"
expect "no arguments" 2 check
expect "--cert missing" 2 check --issuer pki/issuing.pem
expect "--cert: no such file" 2 check --cert nowhere.pem --issuer pki/issuing.pem
expect "--issuer: not a certificate (a CRL)" 2 check --cert pki/good.pem --issuer pki/crl/issuing.crl.pem
expect "--method bogus" 2 leaf good --method bogus
expect "--at not RFC 3339" 2 leaf good --at yesterday
expect "--chain: no such file" 2 leaf good --chain nowhere.pem

section "OCSP: the issuing CA signs its own answers (URL from the AIA)"
expect "good" 0 leaf good --method ocsp
assert "good: one status line" status_lines 1
assert "good: CN=rev-good: good (ocsp URL)" says "CN ?= ?rev-good.*: good \(ocsp $(ere "$ocsp_url")\)"
expect "revoked" 1 leaf revoked --method ocsp
assert "revoked: revoked at <time> (keyCompromise)" says "CN ?= ?rev-revoked.*: revoked at .*\(keyCompromise\)"
expect "unknown (not in the responder's index)" 6 leaf unknown --method ocsp
assert "unknown: says unknown with a reason" says "CN ?= ?rev-unknown.*: unknown: .+"
expect "good with --no-nonce" 0 leaf good --method ocsp --no-nonce
expect "revoked with --no-nonce" 1 leaf revoked --method ocsp --no-nonce
expect "good with --ocsp-url (same responder)" 0 leaf good --method ocsp --ocsp-url "$ocsp_url"

section "OCSP: delegated responder (OCSPSigning, issued by the CA)"
expect "delegated: good" 0 leaf good --method ocsp --ocsp-url "$delegated_url"
assert "delegated: source is the --ocsp-url" says "good \(ocsp $(ere "$delegated_url")\)"
expect "delegated: revoked" 1 leaf revoked --method ocsp --ocsp-url "$delegated_url"
assert "delegated: keyCompromise" says "revoked at .*\(keyCompromise\)"
expect "delegated: unknown" 6 leaf unknown --method ocsp --ocsp-url "$delegated_url"

section "OCSP: responder certificate without OCSPSigning"
expect "bad signer: good answer not believed (unknown)" 6 leaf good --method ocsp --ocsp-url "$badsigner_url"
assert "bad signer: says unknown" says ": unknown: "
expect "bad signer: revoked answer not believed either (unknown)" 6 leaf revoked --method ocsp \
    --ocsp-url "$badsigner_url"
expect "bad signer, --method auto: the CRL answers" 0 leaf good --method auto --ocsp-url "$badsigner_url"
assert "bad signer, auto: good from the CRL" says "good \(crl $(ere "$crl_base/issuing.crl")\)"

section "CRL from the http server (URL from the CRL distribution point)"
expect "crl: good" 0 leaf good --method crl
assert "crl: CN=rev-good: good (crl URL)" says "CN ?= ?rev-good.*: good \(crl $(ere "$crl_base/issuing.crl")\)"
expect "crl: revoked" 1 leaf revoked --method crl
assert "crl: revoked at <time> (keyCompromise)" says "CN ?= ?rev-revoked.*: revoked at .*\(keyCompromise\) ?"
expect "crl: a leaf the CRL does not list is good" 0 leaf unknown --method crl
expect "--crl URL" 1 leaf revoked --method crl --crl "$crl_base/issuing.crl"
expect "--crl FILE (DER)" 1 leaf revoked --method crl --crl pki/crl/issuing.crl
assert "--crl FILE: answered from the file, not the CRL distribution point" bash -c \
    'grep -q "revoked at" <<<"$0" && ! grep -q "$1" <<<"$0"' "$out" "$crl_base"
expect "--crl FILE (PEM)" 1 leaf revoked --method crl --crl pki/crl/issuing.crl.pem
expect "--crl FILE: good" 0 leaf good --method crl --crl pki/crl/issuing.crl
expect "--crl: no such file (exit 2)" 2 leaf good --method crl --crl nowhere.crl
expect "expired CRL (nextUpdate an hour ago): unknown" 6 leaf good --method crl \
    --crl "$crl_base/issuing-expired.crl"
assert "expired CRL: says unknown" says ": unknown: "
expect "expired CRL as a file: unknown" 6 leaf good --method crl --crl pki/crl/issuing-expired.crl
expect "expired CRL within --skew 7200: accepted" 0 leaf good --method crl \
    --crl "$crl_base/issuing-expired.crl" --skew 7200
assert "expired CRL within --skew: the answer came from it" says "good \(crl $(ere "$crl_base/issuing-expired.crl")\)"
expect "CRL signed by the wrong key (same issuer name): unknown" 6 leaf revoked --method crl \
    --crl "$crl_base/issuing-wrongkey.crl"
expect "another issuer's CRL (the intermediate's): unknown" 6 leaf good --method crl \
    --crl "$crl_base/intermediate.crl"
expect "CRL URL answering 404: unknown" 6 leaf good --method crl --crl "$crl_base/nothing-here.crl"
expect "--at tomorrow: good" 0 leaf good --method crl --at "$(rfc3339_in '+1 day')"
expect "--at in 8 days (after the CRL's nextUpdate): unknown" 6 leaf good --method crl \
    --at "$(rfc3339_in '+8 days')"
while [ $(($(date +%s) - pki_made)) -lt 3 ]; do sleep 0.5; done
expect "--max-age 1 (CRL older than that): unknown" 6 leaf good --method crl --max-age 1 --skew 0
expect "--max-age 3600: good" 0 leaf good --method crl --max-age 3600

section "auto: OCSP first, then the CRL"
expect "auto: good" 0 leaf good
assert "auto: answered by OCSP" says "good \(ocsp $(ere "$ocsp_url")\)"
expect "auto, OCSP down (--ocsp-url to a closed port): good" 0 leaf good --ocsp-url "$dead_url"
assert "auto, OCSP down: answered by the CRL" says "good \(crl $(ere "$crl_base/issuing.crl")\)"
expect "auto, OCSP down: revoked" 1 leaf revoked --ocsp-url "$dead_url"
assert "auto, OCSP down: revoked from the CRL, keyCompromise" says "revoked at .*\(keyCompromise\)"
expect "auto, OCSP down, CRL wrong key: unknown" 6 leaf revoked --ocsp-url "$dead_url" \
    --crl "$crl_base/issuing-wrongkey.crl"
expect "--method ocsp, OCSP down: unknown (no CRL tried)" 6 leaf good --method ocsp --ocsp-url "$dead_url"

section "bad peers: never answers, 200 MB, garbage"
timed "OCSP never answers (--timeout 3): unknown" 8 6 leaf good --method ocsp --ocsp-url "$hang_url/" --timeout 3
timed "CRL never answers (--timeout 3): unknown" 8 6 leaf good --method crl --crl "$hang_url/x.crl" --timeout 3
timed "auto, both never answer (--timeout 2): unknown" 10 6 leaf good --ocsp-url "$hang_url/" \
    --crl "$hang_url/x.crl" --timeout 2
# The limits (docs/revocation.md): 128 MiB for a CRL, 64 KiB for an OCSP response; what went out
# beyond them is what the sockets buffered.
timed "CRL of 200 MB (Content-Length): unknown" 15 6 leaf good --method crl --crl "$big_url/big.crl" --timeout 60
sent=$(big_sent /big.crl)
assert "CRL of 200 MB (Content-Length): refused before the end ($sent bytes went out)" \
    test "$sent" -lt $((160 << 20))
timed "CRL of 200 MB (no Content-Length): unknown" 15 6 leaf good --method crl --crl "$big_url/stream.crl" --timeout 60
sent=$(big_sent /stream.crl)
assert "CRL of 200 MB (no Content-Length): stopped reading at the limit ($sent bytes went out)" \
    test "$sent" -lt $((160 << 20))
timed "OCSP answer of 200 MB (no Content-Length): unknown" 15 6 leaf good --method ocsp \
    --ocsp-url "$big_url/stream" --timeout 60
sent=$(big_sent /stream)
assert "OCSP answer of 200 MB: stopped reading at the limit ($sent bytes went out)" test "$sent" -lt $((32 << 20))
expect "OCSP garbage (200, random bytes): unknown" 6 leaf good --method ocsp --ocsp-url "$garbage_url/"
expect "OCSP garbage, revoked leaf: unknown" 6 leaf revoked --method ocsp --ocsp-url "$garbage_url/"
expect "CRL garbage (200, random bytes): unknown" 6 leaf good --method crl --crl "$garbage_url/x.crl"
expect "auto, garbage from both: unknown" 6 leaf good --ocsp-url "$garbage_url/" --crl "$garbage_url/x.crl"
assert "the peers still run" bash -c 'for p in "$@"; do kill -0 "$p" || exit 1; done' _ "${peer_pid[@]}"

section "--soft-fail"
expect "--soft-fail: unknown exits 0" 0 leaf good --method ocsp --ocsp-url "$garbage_url/" --soft-fail
assert "--soft-fail: prints a warning" bash -c 'grep -qi warn <<<"$0" && grep -q "unknown" <<<"$0"' "$out"
expect "--soft-fail: revoked still exits 1" 1 leaf revoked --soft-fail
expect "--soft-fail: good exits 0" 0 leaf good --soft-fail

section "--json"
expect_json "json: good" 0 leaf good --method ocsp --json
assert "json: good, one certificate: ocsp, source, serial, this/next update" json \
    "j['status'] == 'good' and len(c) == 1 and c[0]['status'] == 'good' and c[0]['method'] == 'ocsp' \
     and c[0]['source'] == '$ocsp_url' and serial_is(c[0]['serial'], '$(serial_of pki/good.pem)') \
     and 'rev-good' in c[0]['subject'] and rfc3339(c[0]['this_update']) and rfc3339(c[0]['next_update']) \
     and c[0]['this_update'] < c[0]['next_update'] and 'revocation_time' not in c[0]"
expect_json "json: revoked" 1 leaf revoked --method crl --json
assert "json: revoked via crl, revocation_time, reason keyCompromise" json \
    "j['status'] == 'revoked' and c[0]['status'] == 'revoked' and c[0]['method'] == 'crl' \
     and c[0]['source'] == '$crl_base/issuing.crl' and rfc3339(c[0]['revocation_time']) \
     and c[0]['reason'] == 'keyCompromise'"
expect_json "json: unknown" 6 leaf good --method ocsp --ocsp-url "$garbage_url/" --json
assert "json: unknown with a why" json "j['status'] == 'unknown' and c[0]['status'] == 'unknown' and len(c[0]['why']) > 0"
expect_json "json: unknown under --soft-fail" 0 leaf good --method ocsp --ocsp-url "$garbage_url/" --json --soft-fail
assert "json --soft-fail: still says unknown" json "j['status'] == 'unknown'"
expect_json "json: chain" 0 leaf good --chain pki/superiors.pem --json
assert "json: chain of 3 (leaf, issuing, intermediate; not the root), all good" json \
    "j['status'] == 'good' and len(c) == 3 and all(x['status'] == 'good' for x in c) \
     and 'rev-good' in c[0]['subject'] and 'rev-issuing' in c[1]['subject'] \
     and 'rev-intermediate' in c[2]['subject']"

section "whole chain (--chain: every certificate but the root against its issuer)"
expect "chain: good" 0 leaf good --chain pki/superiors.pem
assert "chain: three status lines" status_lines 3
assert "chain: leaf good from the issuing CA's responder" says "rev-good.*: good \(ocsp $(ere "$ocsp_url")\)"
assert "chain: issuing CA good from the intermediate's responder" \
    says "rev-issuing.*: good \(ocsp $(ere "http://127.0.0.1:$((ocsp_port + 1))/")\)"
assert "chain: intermediate good from the root's responder" \
    says "rev-intermediate.*: good \(ocsp $(ere "http://127.0.0.1:$((ocsp_port + 2))/")\)"
assert "chain: the root is not checked" bash -c '! grep -q rev-root <<<"$0"' "$out"
expect "chain: revoked leaf" 1 leaf revoked --chain pki/superiors.pem
assert "chain: the leaf is the revoked one, the CAs are good" bash -c \
    'grep -qE "rev-revoked.*: revoked" <<<"$0" && grep -qE "rev-issuing.*: good" <<<"$0" && grep -qE "rev-intermediate.*: good" <<<"$0"' "$out"
expect "chain by CRL" 0 leaf good --chain pki/superiors.pem --method crl
assert "chain by CRL: each from its issuer's CRL" bash -c \
    'grep -qE "rev-good.*: good \(crl .*/issuing\.crl\)" <<<"$0" && grep -qE "rev-issuing.*: good \(crl .*/intermediate\.crl\)" <<<"$0" && grep -qE "rev-intermediate.*: good \(crl .*/root\.crl\)" <<<"$0"' "$out"
expect "chain: --crl applies to the leaf, the CAs use their own CRLs" 0 leaf good --chain pki/superiors.pem \
    --method crl --crl pki/crl/issuing.crl
expect "the intermediate checked against the root alone" 0 check --cert pki/intermediate.pem --issuer pki/root.pem

section "cache (--state-dir) with every peer stopped"
mkdir state
expect "cache: fill with the chain of good" 0 leaf good --chain pki/superiors.pem --state-dir state
expect "cache: fill with revoked" 1 leaf revoked --state-dir state
assert "cache: state.db written" test -s state/state.db
stop_peer ocsp-issuing
expect "auto, issuing CA's responder stopped: good" 0 leaf good
assert "auto, responder stopped: good from the CRL" says "rev-good.*: good \(crl $(ere "$crl_base/issuing.crl")\)"
expect "auto, responder stopped: revoked from the CRL" 1 leaf revoked
for p in ocsp-intermediate ocsp-root ocsp-delegated ocsp-badsigner crl-server; do stop_peer "$p"; done
expect "no cache, peers stopped: unknown" 6 leaf good --chain pki/superiors.pem
assert "no cache, peers stopped: all three unknown" bash -c '[ "$(grep -c ": unknown" <<<"$0")" = 3 ]' "$out"
expect "no cache, peers stopped, --soft-fail: 0" 0 leaf good --soft-fail
expect "cache, peers stopped: chain still good" 0 leaf good --chain pki/superiors.pem --state-dir state
assert "cache, peers stopped: three good lines" bash -c '[ "$(grep -c ": good" <<<"$0")" = 3 ]' "$out"
expect "--crl FILE, peers stopped: revoked" 1 leaf revoked --method crl --crl pki/crl/issuing.crl
expect "--crl FILE, peers stopped: good" 0 leaf good --method crl --crl pki/crl/issuing.crl.pem
expect "cache, peers stopped: revoked still revoked" 1 leaf revoked --state-dir state
assert "cache, peers stopped: keyCompromise" says "revoked at .*\(keyCompromise\)"
expect_json "cache, peers stopped: --json" 0 leaf good --state-dir state --json
assert "cache, peers stopped: json good with this/next update" json \
    "j['status'] == 'good' and rfc3339(c[0]['this_update']) and rfc3339(c[0]['next_update'])"
expect "cache: not used at --at after its nextUpdate (in 1 hour)" 6 leaf good --state-dir state \
    --at "$(rfc3339_in '+1 hour')" --method ocsp
mkdir empty-state
expect "cache: an empty state dir does not help" 6 leaf good --state-dir empty-state

section "certkeeper-responder: /ocsp and /crl"
if [ -z "$responder" ]; then
    skip "certkeeper-responder: no RESPONDER_BINARY given"
else
    rport=$(free_port) radmin=$(free_port)
    "$responder" init --dir rca --key rsa:2048 --intermediate >rinit.log 2>&1 || { cat rinit.log; exit 1; }
    sed -i -e "s|^# crl_url = .*|crl_url = http://127.0.0.1:$rport/crl|" \
        -e "s|^# ocsp_url = .*|ocsp_url = http://127.0.0.1:$rport/ocsp|" rca/responder.conf
    assert "responder.conf: the profile names /crl and /ocsp" bash -c \
        'grep -q "^crl_url = " rca/responder.conf && grep -q "^ocsp_url = " rca/responder.conf'
    start_peer responder "$rport" "$responder" serve --dir rca --port "$rport" --admin-port "$radmin" \
        --challenge s3cret
    root_fp=$(fingerprint rca/chain.pem)
    for d in dev1 dev2; do
        expect "enrol $d" 0 "$ck" scep enroll --url "http://127.0.0.1:$rport/scep" --fingerprint "$root_fp" \
            --new-key ec:P-256 --key-out "$d.key" --subject "CN=rev-$d" --challenge s3cret --cert-out "$d.pem"
    done
    assert "dev1: AIA OCSP and CRL distribution point name the responder" bash -c \
        'openssl x509 -in dev1.pem -noout -text | grep -q "OCSP - URI:http://127.0.0.1:$0/ocsp" &&
         openssl x509 -in dev1.pem -noout -text | grep -q "URI:http://127.0.0.1:$0/crl"' "$rport"
    rcheck() { check --cert "$1.pem" --issuer rca/ca.pem "${@:2}"; }
    expect "responder: dev1 good (auto)" 0 rcheck dev1
    assert "responder: by /ocsp" says "rev-dev1.*: good \(ocsp http://127\.0\.0\.1:$rport/ocsp\)"
    expect "responder: dev1 good by /crl" 0 rcheck dev1 --method crl
    assert "responder: by /crl" says "rev-dev1.*: good \(crl http://127\.0\.0\.1:$rport/crl\)"
    mkdir rstate
    expect "responder: dev1 good, cached" 0 rcheck dev1 --method crl --state-dir rstate
    serial=$(serial_of dev1.pem)
    expect "responder: cert revoke --reason 1 (keyCompromise)" 0 "$responder" cert revoke "$serial" \
        --dir rca --reason 1
    expect "responder: dev1 revoked by /ocsp" 1 rcheck dev1 --method ocsp
    assert "responder /ocsp: revoked, keyCompromise" says "rev-dev1.*: revoked at .*\(keyCompromise\)"
    expect "responder: dev1 revoked by /crl" 1 rcheck dev1 --method crl
    assert "responder /crl: revoked, keyCompromise" says "rev-dev1.*: revoked at .*\(keyCompromise\)"
    expect_json "responder: dev1 revoked, json" 1 rcheck dev1 --json
    assert "responder json: revoked by ocsp, keyCompromise" json \
        "j['status'] == 'revoked' and c[0]['method'] == 'ocsp' and c[0]['reason'] == 'keyCompromise' \
         and serial_is(c[0]['serial'], '$serial')"
    expect "responder: dev1 still good from the cache until the CRL's nextUpdate" 0 rcheck dev1 \
        --method crl --state-dir rstate
    expect "responder: dev2 still good" 0 rcheck dev2
    expect "responder: dev2 good by /crl" 0 rcheck dev2 --method crl
    expect "responder: a certificate of another CA against its /ocsp: unknown" 6 leaf good --method ocsp \
        --ocsp-url "http://127.0.0.1:$rport/ocsp"
    stop_peer responder
    assert "responder: no error lines in its log" bash -c '! grep -E "^(error|fatal)|==[0-9]+==(ERROR|WARNING)|runtime error:" responder.log'
fi

if [ ${#skipped[@]} -gt 0 ]; then
    printf 'skipped: %s\n' "${skipped[@]}"
    finish revocation || exit 1
    exit 77
fi
finish revocation
