#!/usr/bin/env bash
# certkeeper-responder (SCEP responder + local CA, root -> issuing CA, RSA-2048) on 127.0.0.1
# against real SCEP clients, plus its CRL, OCSP and admin API and a round of bad HTTP input:
#   certkeeper (ours)        GetCACaps; GetCACert pinned on the root; PKCSReq by POST and by GET
#                            with RSA-2048 and EC P-256 keys; RenewalReq with a new key; static
#                            challenge; one-time passwords (CLI and admin API: once, reuse,
#                            wrong, expired); manual approval (PENDING, CertPoll after approve
#                            and after reject); GetCert; GetCRL; a resent PKCSReq
#   micromdm scepclient      PKCSReq and RenewalReq (single DES: refused with badAlg unless
#                            legacy_des = yes)
#   strongSwan pki 5.9.8     --scepca (GetCACert), --scep PKCSReq and RenewalReq (--cipher des3)
#   certmonger 0.79.17       scep-submit -c (GetCACaps), -C (GetCACert); the daemon's full
#                            enrolment (GET PKIOperation, AES-256) on a private session bus
#   openssl                  verify, crl (the DER CRL at /crl), ocsp (POST and GET at /ocsp)
#   python3                  admin API client, raw HTTP probes, a recording proxy for a replay
# Every certificate a good request got is collected; at the end `cert list` must hold exactly
# those. A peer that is not installed is skipped; the test then exits 77 (after running the rest).
# usage: responder_test.sh RESPONDER_BINARY CERTKEEPER_BINARY
. "$(dirname "$0")/lib.sh"
responder=${1:?usage: responder_test.sh RESPONDER_BINARY CERTKEEPER_BINARY}
ck=${2:?usage: responder_test.sh RESPONDER_BINARY CERTKEEPER_BINARY}
responder=$(realpath "$responder") ck=$(realpath "$ck")
for tool in python3 openssl; do
    command -v "$tool" >/dev/null || { echo "responder_test: SKIPPED, $tool is not installed"; exit 77; }
done
cd "$work"
export OPENSSL_CONF=/dev/null
skipped=()
skip() { skipped+=("$1"); printf 'SKIP %s\n' "$1"; }
xfailed=0
# xfail NAME CMD...: a check of the right behaviour that a known bug still breaks. Not counted
# as a failure; when it starts passing it says so (then make it an assert).
xfail() {
    local name=$1 o; shift
    if o=$("$@" 2>&1); then
        ok "$name (known bug fixed: turn this xfail into an assert)"
    else
        xfailed=$((xfailed + 1))
        printf 'xfail %s (known bug)\n' "$name"
    fi
}
section() { printf '\n== %s\n' "$1"; }

# --- helpers: raw HTTP, the admin API, a recording proxy (python3, standard library only) ---
cat > scephttp.py <<'EOF'
import http.client, http.server, os, socketserver, sys, urllib.error, urllib.parse, urllib.request

def probe(method, url, body_arg="", out=""):
    """Prints the HTTP status of one request. Body: a file, 'zeros:N' or ''."""
    u = urllib.parse.urlsplit(url)
    body = b""
    if body_arg:
        body = b"\0" * int(body_arg[6:]) if body_arg.startswith("zeros:") else open(body_arg, "rb").read()
    c = http.client.HTTPConnection(u.hostname, u.port, timeout=30)
    c.putrequest(method, u.path + ("?" + u.query if u.query else ""))
    if method == "POST":
        c.putheader("Content-Type", "application/x-pki-message")
        c.putheader("Content-Length", str(len(body)))
    c.endheaders()
    try:
        if body:
            c.send(body)
    except (BrokenPipeError, ConnectionResetError):
        pass  # a server may answer (413) before it has read everything
    r = c.getresponse()
    data = r.read()
    if out:
        open(out, "wb").write(data)
    print(r.status)

def admin(port, method, path, body="", token=""):
    """Prints the status line and the body of one admin API request."""
    req = urllib.request.Request("http://127.0.0.1:%s%s" % (port, path), method=method,
                                 data=body.encode() if body else None)
    if token:
        req.add_header("Authorization", "Bearer " + token)
    try:
        with urllib.request.urlopen(req, timeout=30) as r:
            status, data = r.status, r.read()
    except urllib.error.HTTPError as e:
        status, data = e.code, e.read()
    print(status)
    print(data.decode())

class Recorder(http.server.BaseHTTPRequestHandler):
    """Forward proxy; records each PKIOperation POST body as DIR/NNN.der."""
    def forward(self):
        n = int(self.headers.get("Content-Length") or 0)
        body = self.rfile.read(n) if n else None
        if self.command == "POST" and "PKIOperation" in self.path:
            name = os.path.join(self.server.dir, "%03d.der" % len(os.listdir(self.server.dir)))
            open(name, "wb").write(body)
        req = urllib.request.Request(self.path, data=body, method=self.command)
        if self.headers.get("Content-Type"):
            req.add_header("Content-Type", self.headers["Content-Type"])
        try:
            with urllib.request.urlopen(req, timeout=30) as r:
                status, ctype, data = r.status, r.headers.get("Content-Type"), r.read()
        except urllib.error.HTTPError as e:
            status, ctype, data = e.code, e.headers.get("Content-Type"), e.read()
        self.send_response(status)
        self.send_header("Content-Type", ctype or "application/octet-stream")
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)
    do_GET = do_POST = forward
    def log_message(self, *args):
        pass

def proxy(port, directory):
    s = socketserver.ThreadingTCPServer(("127.0.0.1", int(port)), Recorder)
    s.dir = directory
    s.serve_forever()

if __name__ == "__main__":
    {"probe": probe, "admin": admin, "proxy": proxy}[sys.argv[1]](*sys.argv[2:])
EOF
probe() { python3 scephttp.py probe "$@"; }
# admin METHOD PATH [BODY [TOKEN]]: status on the first line of $out, the body after it.
admin() { out=$(python3 scephttp.py admin "$admin_port" "$1" "$2" "${3-}" "${4-$token}" 2>&1); }
status_is() { [ "$(head -1 <<<"$out")" = "$1" ]; }
# scep_attr FILE OID: the value of the first signed attribute OID in a pkiMessage (DER).
scep_attr() {
    openssl asn1parse -inform DER -in "$1" 2>/dev/null |
        awk -v oid="$2" 'index($0, ":" oid) && substr($0, length($0) - length(oid)) == ":" oid { f = 1; next }
                         f && /prim:/ { sub(/.*:/, ""); print; exit }'
}
msgtype=2.16.840.1.113733.1.9.2 pkistatus=2.16.840.1.113733.1.9.3 failinfo=2.16.840.1.113733.1.9.4
sendernonce=2.16.840.1.113733.1.9.5 recipientnonce=2.16.840.1.113733.1.9.6
transid=2.16.840.1.113733.1.9.7 failinfotext=1.3.6.1.5.5.7.24.1

norm_serial() { tr a-f A-F | sed 's/^0*//'; }
serial_of() { openssl x509 -in "$1" -noout -serial | cut -d= -f2 | norm_serial; }
# issued CERT: a good request got CERT; `cert list` must show it at the end.
issued() { [ -s "$1" ] && serial_of "$1" >> issued.serials; }
cert_count() { "$responder" cert list --dir ca | wc -l; }
scep_lines() { grep -c 'responder.scep: ' responder.log; }

# --- the responder: root -> issuing CA, renewals at any time, static challenge s3cret ---
"$responder" init --dir ca --key rsa:2048 --intermediate >init.log 2>&1 || { cat init.log; exit 1; }
sed -i 's/^renewal_window_days = .*/renewal_window_days = 0/' ca/responder.conf
grep -q '^renewal_window_days = 0$' ca/responder.conf || { echo "responder.conf has no renewal_window_days"; exit 1; }
port=$(free_port)
admin_port=$(free_port)
token=$(cat ca/admin.token)
url="http://127.0.0.1:$port/scep"
root_fp=$(fingerprint ca/chain.pem)
cat ca/chain.pem ca/ca.pem > trust.pem   # root + issuing CA
rpid=
start_responder() {  # ARGS...: (re)start `serve` on the same ports
    if [ -n "$rpid" ]; then kill "$rpid"; wait "$rpid" 2>/dev/null; fi
    echo "--- serve $*" >> responder.log
    "$responder" serve --dir ca --port "$port" --admin-port "$admin_port" --challenge s3cret "$@" \
        >>responder.log 2>&1 &
    rpid=$!
    pids+=("$rpid")
    wait_port "$port" && wait_port "$admin_port" || { cat responder.log; exit 1; }
}
start_responder

section "certkeeper: capabilities and CA certificates"
expect "getcaps" 0 "$ck" scep getcaps --url "$url"
assert "caps: SCEPStandard, POSTPKIOperation, Renewal, AES" bash -c \
    'for w in SCEPStandard POSTPKIOperation Renewal AES SHA-256; do grep -qx "$w" <<<"$0" || exit 1; done' "$out"
expect "getcaps at /cgi-bin/pkiclient.exe" 0 "$ck" scep getcaps --url "http://127.0.0.1:$port/cgi-bin/pkiclient.exe"
expect "getca pinned on the root (chain.pem)" 0 "$ck" scep getca --url "$url" --fingerprint "$root_fp" \
    --chain-out getca.pem
assert "getca: chain-out is issuing CA + root" test "$(grep -c 'BEGIN CERTIFICATE' getca.pem)" = 2
assert "getca: the issuing CA is ca.pem" bash -c "openssl x509 -in getca.pem -outform DER | cmp -s - <(openssl x509 -in ca/ca.pem -outform DER)"
expect "getca with a pin on an unknown root is refused (exit 1)" 1 "$ck" scep getca --url "$url" \
    --fingerprint "sha256:$(printf '00:%.0s' $(seq 31))00"

section "certkeeper: PKCSReq by POST and GET, RSA and EC keys (static challenge)"
for method in post get; do
    for key in rsa:2048 ec:P-256; do
        name="$method-${key%%:*}"
        expect "enroll $name" 0 "$ck" scep enroll --url "$url" --fingerprint "$root_fp" --new-key "$key" \
            --key-out "$name.key" --subject "CN=dev-$name,O=certkeeper" --san "dns:$name.example.net" \
            --challenge s3cret --cert-out "$name.pem" --"$method" --verbose
        issued "$name.pem"
        grep -q "PKCSReq .* (${method^^}) -> SUCCESS" <<<"$out" || not_ok "$name went by ${method^^}" "$out"
        assert "$name: verifies against root + issuing CA" openssl verify -CAfile trust.pem "$name.pem"
        assert "$name: carries our key" same_key "$name.pem" "$name.key"
        assert "$name: SAN copied" bash -c "openssl x509 -in $name.pem -noout -ext subjectAltName | grep -q 'DNS:$name.example.net'"
    done
done
assert "post-ec: an EC P-256 key" bash -c "openssl x509 -in post-ec.pem -noout -text | grep -q 'NIST CURVE: P-256'"
expect "wrong static challenge is rejected (exit 3)" 3 "$ck" scep enroll --url "$url" --fingerprint "$root_fp" \
    --new-key rsa:2048 --key-out bad.key --subject "CN=dev-bad" --challenge nope --cert-out bad.pem
assert "nothing written for a rejected request" test ! -e bad.pem

section "certkeeper: RenewalReq with a new key"
expect "renew (RenewalReq, new key)" 0 "$ck" scep renew --url "$url" --fingerprint "$root_fp" \
    --cert post-rsa.pem --cert-key post-rsa.key --new-key rsa:2048 --key-out renewed.key \
    --cert-out renewed.pem --verbose
issued renewed.pem
grep -q "RenewalReq .* -> SUCCESS" <<<"$out" || not_ok "renewal used RenewalReq" "$out"
assert "renewed: verifies" openssl verify -CAfile trust.pem renewed.pem
assert "renewed: carries the new key" same_key renewed.pem renewed.key
assert "renewed: same subject" test "$(openssl x509 -in renewed.pem -noout -subject)" = \
    "$(openssl x509 -in post-rsa.pem -noout -subject)"
assert "renewed: new serial" test "$(serial_of renewed.pem)" != "$(serial_of post-rsa.pem)"
n=$(cert_count)
expect "a resent PKCSReq (same key) gets the same certificate" 0 "$ck" scep enroll --url "$url" \
    --fingerprint "$root_fp" --key get-rsa.key --subject "CN=dev-get-rsa,O=certkeeper" \
    --san dns:get-rsa.example.net --challenge s3cret --cert-out resent.pem
assert "resent: identical certificate, none issued" bash -c "cmp -s resent.pem get-rsa.pem && test $(cert_count) = $n"

section "certkeeper: one-time passwords (otp add on the CLI)"
otp=$("$responder" otp add --dir ca --username dev-otp 2>&1) || not_ok "otp add" "$otp"
expect "OTP enrolment" 0 "$ck" scep enroll --url "$url" --fingerprint "$root_fp" --new-key rsa:2048 \
    --key-out otp.key --subject "CN=dev-otp" --challenge "$otp" --cert-out otp.pem
issued otp.pem
assert "OTP cert: requester otp:dev-otp" bash -c "'$responder' cert list --dir ca | grep -q \"^$(serial_of otp.pem)\".*otp:dev-otp"
expect "OTP reused: rejected (exit 3)" 3 "$ck" scep enroll --url "$url" --fingerprint "$root_fp" --new-key rsa:2048 \
    --key-out otp2.key --subject "CN=dev-otp" --challenge "$otp" --cert-out otp2.pem
grep -q "already used" <<<"$out" || not_ok "reuse: says already used" "$out"
"$responder" otp add --dir ca --username dev-otp-wrong --password right-one >/dev/null
expect "OTP wrong password: rejected (exit 3)" 3 "$ck" scep enroll --url "$url" --fingerprint "$root_fp" \
    --new-key rsa:2048 --key-out otp3.key --subject "CN=dev-otp-wrong" --challenge wrong-one --cert-out otp3.pem
"$responder" otp add --dir ca --username dev-otp-expired --password short-lived --ttl 1 >/dev/null
sleep 2
expect "OTP expired (ttl 1 s): rejected (exit 3)" 3 "$ck" scep enroll --url "$url" --fingerprint "$root_fp" \
    --new-key rsa:2048 --key-out otp4.key --subject "CN=dev-otp-expired" --challenge short-lived --cert-out otp4.pem
grep -q "expired" <<<"$out" || not_ok "expired: says expired" "$out"
"$responder" otp add --dir ca --username san-otp.example.net --password by-san >/dev/null
expect "OTP bound to a SAN value (CN differs)" 0 "$ck" scep enroll --url "$url" --fingerprint "$root_fp" \
    --new-key ec:P-256 --key-out otp5.key --subject "CN=dev-otp-san" --san dns:san-otp.example.net \
    --challenge by-san --cert-out otp5.pem
issued otp5.pem
assert "no OTP file left behind: failed ones wrote nothing" bash -c 'test ! -e otp2.pem && test ! -e otp3.pem && test ! -e otp4.pem'
expect "otp list" 0 "$responder" otp list --dir ca
assert "otp list: used, active, expired" bash -c 'grep -q "^dev-otp	used" <<<"$0" && grep -q "^dev-otp-wrong	active" <<<"$0" && grep -q "^dev-otp-expired	expired" <<<"$0"' "$out"

section "certkeeper: one-time password through the admin API (bearer token)"
admin POST /otp "username=api-dev&ttl=600"
assert "POST /otp: 201 with a password" bash -c 'test "$(head -1 <<<"$0")" = 201 && grep -q "\"password\":\"" <<<"$0"' "$out"
api_pw=$(tail -n +2 <<<"$out" | python3 -c 'import json,sys; print(json.load(sys.stdin)["password"])' 2>/dev/null)
expect "enrol with the API's OTP" 0 "$ck" scep enroll --url "$url" --fingerprint "$root_fp" --new-key rsa:2048 \
    --key-out api.key --subject "CN=api-dev" --challenge "$api_pw" --cert-out api.pem
issued api.pem
admin POST /otp "username=api-dev2&password=x&ttl=600" "wrong-token"
assert "POST /otp with a wrong token: 401" status_is 401
admin POST /otp "username=api-dev2&password=x&ttl=600" ""
assert "POST /otp without a token: 401" status_is 401
admin GET /otp
assert "GET /otp: api-dev used, api-dev2 never added" bash -c \
    'grep -q "\"username\":\"api-dev\",\"state\":\"used\"" <<<"$0" && ! grep -q api-dev2 <<<"$0"' "$out"
admin GET /certificates
assert "GET /certificates lists the API enrolment" bash -c "grep -q '\"subject\":\"CN=api-dev\"' <<<\"\$0\"" "$out"

section "certkeeper: GetCert and GetCRL"
serial=$(serial_of post-ec.pem)
expect "getcert by serial" 0 "$ck" scep getcert --url "$url" --fingerprint "$root_fp" --serial "$serial" \
    --cert renewed.pem --cert-key renewed.key --cert-out getcert.pem
assert "getcert: the same certificate" cmp getcert.pem post-ec.pem
out=$("$ck" scep getcert --url "$url" --fingerprint "$root_fp" --serial 0102 --cert renewed.pem \
    --cert-key renewed.key --cert-out nothing.pem 2>&1); rc=$?
assert "getcert of an unknown serial: refused with badCertId, nothing written" bash -c \
    'test "$1" != 0 && grep -q badCertId <<<"$0" && test ! -e nothing.pem' "$out" "$rc"
# A GetCert/GetCRL FAILURE is "rejected" (exit 3) like any other FAILURE.
assert "certkeeper: getcert FAILURE exits 3 (got $rc)" test "$rc" = 3
expect "getcrl" 0 "$ck" scep getcrl --url "$url" --fingerprint "$root_fp" --cert renewed.pem \
    --cert-key renewed.key --crl-out getcrl0.pem
assert "getcrl: signature verifies" openssl crl -in getcrl0.pem -CAfile trust.pem -noout

section "revocation: cert revoke, the CRL at /crl, OCSP at /ocsp"
revoked=$(serial_of post-ec.pem)
expect "cert revoke SERIAL --reason 1" 0 "$responder" cert revoke "$revoked" --dir ca --reason 1
expect "cert revoke again: already revoked" 0 "$responder" cert revoke "$revoked" --dir ca
grep -q "already revoked" <<<"$out" || not_ok "says already revoked" "$out"
expect "cert revoke of an unknown serial (exit 1)" 1 "$responder" cert revoke 0102 --dir ca
assert "GET /crl: 200" test "$(probe GET "http://127.0.0.1:$port/crl" "" crl.der)" = 200
expect "the /crl DER parses" 0 openssl crl -inform DER -in crl.der -noout -text
assert "/crl lists the revoked serial, keyCompromise" bash -c \
    'grep -q "Serial Number: 0*$1\$" <<<"$0" && grep -q "Key Compromise" <<<"$0"' "$out" "$revoked"
assert "/crl: issuer is the issuing CA" bash -c 'grep -q "Issuer: O = certkeeper, CN = certkeeper Issuing CA" <<<"$0"' "$out"
assert "/crl: lists nothing else" test "$(grep -c 'Serial Number:' <<<"$out")" = 1
expect "/crl signature verifies (openssl crl -CAfile)" 0 openssl crl -inform DER -in crl.der -CAfile trust.pem -noout
grep -q "verify OK" <<<"$out" || not_ok "/crl: verify OK" "$out"
expect "getcrl after the revocation" 0 "$ck" scep getcrl --url "$url" --fingerprint "$root_fp" --cert renewed.pem \
    --cert-key renewed.key --crl-out getcrl1.pem
assert "getcrl lists the revoked serial" bash -c "openssl crl -in getcrl1.pem -noout -text | grep -q 'Serial Number: 0*$revoked\$'"
expect "renewal signed by the revoked certificate: rejected (exit 3)" 3 "$ck" scep renew --url "$url" \
    --fingerprint "$root_fp" --cert post-ec.pem --cert-key post-ec.key --new-key rsa:2048 \
    --key-out rv.key --cert-out rv.pem
ocsp() {  # CERT-ARGS...: one OCSP request by POST with a nonce, answer in $out
    out=$(openssl ocsp -issuer ca/ca.pem "$@" -url "http://127.0.0.1:$port/ocsp" -CAfile trust.pem \
        -resp_text -req_text 2>&1)
}
nonces_match() {  # the request's nonce and the response's are the same value
    local n
    n=$(grep -A1 'OCSP Nonce' <<<"$out" | grep -v -e 'OCSP Nonce' -e '^--$' | tr -d ' ' | sort -u)
    [ -n "$n" ] && [ "$(wc -l <<<"$n")" = 1 ] && [ "$(grep -c 'OCSP Nonce' <<<"$out")" = 2 ]
}
ocsp -cert get-ec.pem
assert "OCSP: good for a valid certificate" bash -c 'grep -q "^get-ec.pem: good" <<<"$0" && grep -q "Response verify OK" <<<"$0"' "$out"
assert "OCSP: nonce echoed" nonces_match
assert "OCSP: no nonce warning or error" bash -c '! grep -qi -e "no nonce" -e "nonce verify error" <<<"$0"' "$out"
ocsp -cert post-ec.pem
assert "OCSP: revoked, keyCompromise" bash -c 'grep -q "^post-ec.pem: revoked" <<<"$0" && grep -q "Reason: keyCompromise" <<<"$0" && grep -q "Response verify OK" <<<"$0"' "$out"
assert "OCSP (revoked): nonce echoed" nonces_match
ocsp -serial 0x0102
assert "OCSP: unknown for a serial never issued" bash -c 'grep -q "^0x0102: unknown" <<<"$0" && grep -q "Response verify OK" <<<"$0"' "$out"
assert "OCSP (unknown): nonce echoed" nonces_match
out=$(openssl ocsp -issuer ca/chain.pem -cert get-ec.pem -url "http://127.0.0.1:$port/ocsp" -CAfile trust.pem 2>&1)
assert "OCSP: a CertID under another issuer is unauthorized" bash -c 'grep -q "unauthorized" <<<"$0"' "$out"
openssl ocsp -issuer ca/ca.pem -cert get-rsa.pem -reqout ocsp-req.der >/dev/null 2>&1
enc=$(python3 -c 'import base64, sys, urllib.parse; print(urllib.parse.quote(base64.b64encode(open(sys.argv[1], "rb").read()).decode(), safe=""))' ocsp-req.der)
assert "OCSP by GET (RFC 6960 A.1): 200" test "$(probe GET "http://127.0.0.1:$port/ocsp/$enc" "" ocsp-get.der)" = 200
expect "OCSP by GET: verifies, nonce matches the request" 0 openssl ocsp -respin ocsp-get.der -reqin ocsp-req.der \
    -CAfile trust.pem -VAfile ca/ca.pem -resp_text
assert "OCSP by GET: good" bash -c 'grep -q "Cert Status: good" <<<"$0" && ! grep -qi "nonce verify error" <<<"$0"' "$out"

section "certkeeper: manual approval (serve --manual-approval)"
start_responder --manual-approval
expect "enroll -> pending (exit 4)" 4 "$ck" scep enroll --url "$url" --fingerprint "$root_fp" --new-key rsa:2048 \
    --key-out manual.key --subject "CN=dev-manual" --challenge s3cret --cert-out manual.pem
tid=$(sed -n 's/^pending: transactionID \([^ ]*\).*/\1/p' <<<"$out")
assert "pending: transactionID printed, no certificate" bash -c "test -n '$tid' && test ! -e manual.pem"
expect "pending list" 0 "$responder" pending list --dir ca
assert "pending list shows the request" bash -c 'grep -q "^$1	CN=dev-manual	" <<<"$0"' "$out" "$tid"
expect "poll while pending -> exit 4" 4 "$ck" scep poll --url "$url" --fingerprint "$root_fp" --key manual.key \
    --subject "CN=dev-manual" --cert-out manual.pem
expect "pending approve TID" 0 "$responder" pending approve "$tid" --dir ca
expect "poll after approval -> issued" 0 "$ck" scep poll --url "$url" --fingerprint "$root_fp" --key manual.key \
    --subject "CN=dev-manual" --cert-out manual.pem --verbose
issued manual.pem
grep -q "CertPoll .* -> SUCCESS" <<<"$out" || not_ok "poll used CertPoll" "$out"
assert "approved: verifies, carries our key" bash -c 'openssl verify -CAfile trust.pem manual.pem && [ "$(openssl x509 -in manual.pem -noout -pubkey)" = "$(openssl pkey -in manual.key -pubout)" ]'
expect "pending list: empty again" 0 "$responder" pending list --dir ca
assert "pending list: nothing left" test -z "$out"
expect "second request -> pending" 4 "$ck" scep enroll --url "$url" --fingerprint "$root_fp" --new-key rsa:2048 \
    --key-out reject.key --subject "CN=dev-reject" --challenge s3cret --cert-out reject.pem
tid=$(sed -n 's/^pending: transactionID \([^ ]*\).*/\1/p' <<<"$out")
expect "pending reject TID" 0 "$responder" pending reject "$tid" --dir ca
expect "poll after rejection -> exit 3" 3 "$ck" scep poll --url "$url" --fingerprint "$root_fp" --key reject.key \
    --subject "CN=dev-reject" --cert-out reject.pem
assert "rejected: nothing written" test ! -e reject.pem
expect "approve of an unknown transaction (exit 1)" 1 "$responder" pending approve no-such-tid --dir ca
expect "third request -> pending" 4 "$ck" scep enroll --url "$url" --fingerprint "$root_fp" --new-key ec:P-256 \
    --key-out apiappr.key --subject "CN=dev-api-approve" --challenge s3cret --cert-out apiappr.pem
tid=$(sed -n 's/^pending: transactionID \([^ ]*\).*/\1/p' <<<"$out")
admin GET /pending
assert "GET /pending lists it" bash -c 'grep -q "\"transaction_id\":\"$1\"" <<<"$0"' "$out" "$tid"
admin POST "/pending/$tid/approve" "" "wrong-token"
assert "approve with a wrong token: 401" status_is 401
admin POST "/pending/$tid/approve"
assert "POST /pending/TID/approve: 204" status_is 204
expect "poll after API approval -> issued" 0 "$ck" scep poll --url "$url" --fingerprint "$root_fp" \
    --key apiappr.key --subject "CN=dev-api-approve" --cert-out apiappr.pem
issued apiappr.pem
expect "renewal is not held for approval" 0 "$ck" scep renew --url "$url" --fingerprint "$root_fp" \
    --cert manual.pem --cert-key manual.key --new-key rsa:2048 --key-out manual2.key --cert-out manual2.pem
issued manual2.pem

section "micromdm scepclient"
have_scepclient=yes
command -v scepclient >/dev/null || { have_scepclient=; skip "micromdm scepclient: not installed (apt-get install scep)"; }
start_responder   # legacy_des = no (the default)
if [ -n "$have_scepclient" ]; then
    mkdir mm-refused
    n=$(cert_count)
    expect "scepclient without legacy_des: refused" 1 bash -c "cd mm-refused && exec timeout 60 scepclient \
        -server-url '$url' -challenge s3cret -cn mm-refused -private-key mm.key -certificate mm.pem"
    grep -q "badAlg" <<<"$out" || not_ok "scepclient: told badAlg" "$out"
    assert "responder: DES-CBC refused with badAlg" bash -c "grep -q 'CN=SCEP SIGNER.*FAILURE badAlg (0).*DES-CBC' responder.log"
    assert "nothing issued" bash -c "test ! -e mm-refused/mm.pem && test $(cert_count) = $n"
fi
sed -i 's/^legacy_des = no$/legacy_des = yes/' ca/responder.conf
grep -q '^legacy_des = yes$' ca/responder.conf || not_ok "responder.conf: legacy_des = yes"
start_responder
if [ -n "$have_scepclient" ]; then
    mkdir mm
    expect "scepclient PKCSReq (legacy_des = yes)" 0 bash -c "cd mm && exec timeout 60 scepclient \
        -server-url '$url' -challenge s3cret -cn mm-dev -private-key mm.key -certificate mm.pem"
    issued mm/mm.pem
    assert "scepclient: verifies, carries its key" bash -c 'openssl verify -CAfile trust.pem mm/mm.pem && [ "$(openssl x509 -in mm/mm.pem -noout -pubkey)" = "$(openssl pkey -in mm/mm.key -pubout)" ]'
    assert "responder: scepclient encrypted with single DES" bash -c "grep -q 'PKCSReq .* from CN=SCEP SIGNER.*client encrypted with single DES' responder.log"
    cp mm/mm.pem mm/first.pem
    expect "scepclient RenewalReq (existing certificate, same key)" 0 bash -c "cd mm && exec timeout 60 scepclient \
        -server-url '$url' -cn mm-dev -private-key mm.key -certificate mm.pem"
    issued mm/mm.pem
    assert "scepclient renewal: new serial, same key, verifies" bash -c 'test "$(openssl x509 -in mm/mm.pem -noout -serial)" != "$(openssl x509 -in mm/first.pem -noout -serial)" && openssl verify -CAfile trust.pem mm/mm.pem && [ "$(openssl x509 -in mm/mm.pem -noout -pubkey)" = "$(openssl pkey -in mm/mm.key -pubout)" ]'
    assert "responder: RenewalReq from scepclient" bash -c "grep -q 'RenewalReq .* from CN=mm-dev.* -> SUCCESS' responder.log"
fi

section "strongSwan pki"
if ! command -v pki >/dev/null; then
    skip "strongSwan pki: not installed (apt-get install strongswan-pki libstrongswan-extra-plugins)"
elif [ ! -e /usr/lib/ipsec/plugins/libstrongswan-curl.so ]; then
    skip "strongSwan pki: no HTTP fetcher (apt-get install libstrongswan-extra-plugins)"
else
    mkdir sw
    expect "pki --scepca (GetCACert)" 0 pki --scepca --url "$url" --caout sw/ca.der --force
    assert "pki --scepca: root is chain.pem" bash -c 'cmp -s sw/ca.der <(openssl x509 -in ca/chain.pem -outform DER)'
    assert "pki --scepca: sub CA is ca.pem, trusted" bash -c 'cmp -s sw/ca-1.der <(openssl x509 -in ca/ca.pem -outform DER) && grep -q "Sub CA cert is trusted" <<<"$0"' "$out"
    pki --gen --type rsa --size 2048 --outform pem > sw/dev.key 2>/dev/null
    pki --gen --type rsa --size 2048 --outform pem > sw/dev2.key 2>/dev/null
    swscep=(pki --scep --url "$url" --cacert-enc sw/ca-1.der --cacert-sig sw/ca-1.der --cacert sw/ca.der
        --outform pem --interval 1 --maxpolltime 10)
    # 5.9.8 tests capability bits by enum index: AES needs "SHA-384" in the caps, which we do
    # not send, so its default --cipher aes stops before sending anything.
    n=$(scep_lines)
    expect "pki --scep default cipher: refused by pki 5.9.8's caps check" 1 "${swscep[@]}" --in sw/dev.key \
        --dn "CN=sw-dev, O=certkeeper" --password s3cret
    grep -q "AES_CBC encryption algorithm not supported by CA" <<<"$out" || not_ok "pki: says AES_CBC not supported" "$out"
    assert "pki --scep default cipher: no PKIOperation reached the responder" test "$(scep_lines)" = "$n"
    expect "pki --scep --cipher des3 (PKCSReq)" 0 "${swscep[@]}" --cipher des3 --in sw/dev.key \
        --dn "CN=sw-dev, O=certkeeper" --san sw.example.net --password s3cret
    printf '%s\n' "$out" | sed -n '/-----BEGIN CERTIFICATE-----/,/-----END CERTIFICATE-----/p' > sw/dev.pem
    issued sw/dev.pem
    assert "pki: verifies, carries its key, SAN" bash -c 'openssl verify -CAfile trust.pem sw/dev.pem && [ "$(openssl x509 -in sw/dev.pem -noout -pubkey)" = "$(openssl pkey -in sw/dev.key -pubout)" ] && openssl x509 -in sw/dev.pem -noout -ext subjectAltName | grep -q DNS:sw.example.net'
    assert "pki: issued certificate is trusted" bash -c 'grep -q "Issued certificate is trusted" <<<"$0"' "$out"
    expect "pki --scep --cipher des3 --cert --key (RenewalReq, new key)" 0 "${swscep[@]}" --cipher des3 \
        --in sw/dev2.key --dn "CN=sw-dev, O=certkeeper" --cert sw/dev.pem --key sw/dev.key
    printf '%s\n' "$out" | sed -n '/-----BEGIN CERTIFICATE-----/,/-----END CERTIFICATE-----/p' > sw/dev2.pem
    issued sw/dev2.pem
    assert "pki renewal: verifies, new key" bash -c 'openssl verify -CAfile trust.pem sw/dev2.pem && [ "$(openssl x509 -in sw/dev2.pem -noout -pubkey)" = "$(openssl pkey -in sw/dev2.key -pubout)" ]'
    assert "responder: RenewalReq from pki" bash -c "grep -q 'RenewalReq .* from O=certkeeper,CN=sw-dev .* -> SUCCESS' responder.log"
fi

section "certmonger"
submit=/usr/lib/certmonger/scep-submit
if [ ! -x "$submit" ]; then
    skip "certmonger: not installed (apt-get install certmonger)"
else
    expect "scep-submit -c (GetCACaps)" 0 "$submit" -u "$url" -c
    assert "scep-submit -c: the caps" bash -c 'grep -qx SCEPStandard <<<"$0" && grep -qx POSTPKIOperation <<<"$0"' "$out"
    expect "scep-submit -C (GetCACert)" 0 "$submit" -u "$url" -C
    printf '%s\n' "$out" > cm-getca.pem
    assert "scep-submit -C: issuing CA then root" bash -c '
        [ "$(grep -c "BEGIN CERTIFICATE" cm-getca.pem)" = 2 ] &&
        cmp -s <(openssl x509 -in cm-getca.pem -outform DER) <(openssl x509 -in ca/ca.pem -outform DER) &&
        cmp -s <(sed -n "/END CERTIFICATE/,\$p" cm-getca.pem | sed 1d | openssl x509 -outform DER) <(openssl x509 -in ca/chain.pem -outform DER)'
    if ! command -v dbus-run-session >/dev/null || ! command -v certmonger >/dev/null; then
        skip "certmonger daemon enrolment: dbus-run-session or certmonger missing (apt-get install dbus-daemon certmonger)"
    else
        # The daemon on a private session bus, its state in $work (not /var/lib/certmonger);
        # -c runs the script once the bus name is taken and stops the daemon after it.
        cm=$work/cm
        mkdir -p "$cm"/{requests,cas,local,tmp,config,home}
        cat > "$cm/enrol.sh" <<EOF
getcert add-scep-ca -s -c ckresp -u '$url' || exit 1
getcert request -s -c ckresp -k '$cm/cm.key' -f '$cm/cm.pem' -N CN=cm-dev -L s3cret -w -v || exit 1
getcert list -s
EOF
        started=$SECONDS
        expect "certmonger daemon: getcert add-scep-ca + request -w (< 30 s)" 0 env HOME="$cm/home" \
            CERTMONGER_REQUESTS_DIR="$cm/requests" CERTMONGER_CAS_DIR="$cm/cas" \
            CERTMONGER_LOCAL_CA_DIR="$cm/local" CERTMONGER_TMPDIR="$cm/tmp" \
            CERTMONGER_SYSTEM_LOCK_FILE="$cm/lock" CERTMONGER_CONFIG_DIR="$cm/config" \
            timeout 30 dbus-run-session -- certmonger -s -n -d 3 -c "bash $cm/enrol.sh"
        printf '%s\n' "$out" > cm.log
        echo "     (certmonger took $((SECONDS - started)) s; $(grep -o 'Server supports [^.]*\.' cm.log | tr '\n' ' '))"
        issued "$cm/cm.pem"
        assert "certmonger: status MONITORING" grep -q "status: MONITORING" cm.log
        assert "certmonger: verifies, carries its key" bash -c 'openssl verify -CAfile trust.pem "$0/cm.pem" && [ "$(openssl x509 -in "$0/cm.pem" -noout -pubkey)" = "$(openssl pkey -in "$0/cm.key" -pubout)" ]' "$cm"
        assert "responder: PKCSReq from certmonger" bash -c "grep -q 'PKCSReq .* from CN=cm-dev (self-signed) -> SUCCESS' responder.log"
    fi
fi

section "certkeeper: a few enrolments at once"
par=()
for i in 1 2 3 4; do
    "$ck" scep enroll --url "$url" --fingerprint "$root_fp" --new-key ec:P-256 --key-out "par$i.key" \
        --subject "CN=par-$i" --challenge s3cret --cert-out "par$i.pem" >"par$i.log" 2>&1 &
    par+=($!)
done
par_failed=0
for p in "${par[@]}"; do wait "$p" || par_failed=$((par_failed + 1)); done
for i in 1 2 3 4; do issued "par$i.pem"; done
assert "4 parallel enrolments all issued, each with its key" bash -c \
    'test "$0" = 0 && for i in 1 2 3 4; do [ "$(openssl x509 -in par$i.pem -noout -pubkey)" = "$(openssl pkey -in par$i.key -pubout)" ] || exit 1; done' "$par_failed"
assert "4 parallel enrolments: 4 different serials" test "$(for i in 1 2 3 4; do serial_of "par$i.pem"; done | sort -u | wc -l)" = 4

section "bad input over HTTP"
n=$(cert_count)
op="$url?operation=PKIOperation"
head -c 300 /dev/urandom > garbage.bin
assert "garbage POST body -> 400" test "$(probe POST "$op" garbage.bin)" = 400
assert "empty POST -> 400" test "$(probe POST "$op")" = 400
assert "oversized POST body (1 MiB + 1) -> 413" test "$(probe POST "$op" zeros:1048577)" = 413
assert "unknown operation -> 400" test "$(probe GET "$url?operation=GetEverything")" = 400
assert "no operation -> 400" test "$(probe GET "$url")" = 400
assert "GET PKIOperation without message -> 400" test "$(probe GET "$op")" = 400
assert "GET PKIOperation, message not base64 -> 400" test "$(probe GET "$op&message=%25%25%25")" = 400
assert "GET PKIOperation, 70 KB message -> 431" test "$(probe GET "$op&message=$(head -c 70000 /dev/zero | tr '\0' A)")" = 431
assert "unknown path -> 404" test "$(probe GET "http://127.0.0.1:$port/nowhere")" = 404
# A real PKIOperation, recorded by a proxy between our client and the responder.
proxy_port=$(free_port)
mkdir recorded
python3 scephttp.py proxy "$proxy_port" recorded &
pids+=($!)
wait_port "$proxy_port" || exit 1
expect "enroll through the recording proxy" 0 "$ck" scep enroll --url "$url" --fingerprint "$root_fp" \
    --new-key rsa:2048 --key-out proxied.key --subject "CN=dev-proxied" --challenge s3cret \
    --cert-out proxied.pem --proxy "http://127.0.0.1:$proxy_port"
issued proxied.pem
n=$(cert_count)
assert "proxy recorded one PKCSReq" test "$(ls recorded)" = 000.der -a "$(scep_attr recorded/000.der $msgtype)" = 19
size=$(stat -c %s recorded/000.der)
head -c $((size / 2)) recorded/000.der > truncated.der
assert "truncated PKIOperation -> 400" test "$(probe POST "$op" truncated.der)" = 400
assert "replayed PKIOperation (same bytes again) -> HTTP 200" test "$(probe POST "$op" recorded/000.der replay.der)" = 200
assert "replay: a CertRep (messageType 3)" test "$(scep_attr replay.der $msgtype)" = 3
assert "replay: pkiStatus FAILURE (2)" test "$(scep_attr replay.der $pkistatus)" = 2
assert "replay: failInfo badMessageCheck (1)" test "$(scep_attr replay.der $failinfo)" = 1
assert "replay: failInfoText says replayed" bash -c "grep -q 'replayed senderNonce' <<<'$(scep_attr replay.der $failinfotext)'"
assert "replay: recipientNonce = the request's senderNonce" test "$(scep_attr replay.der $recipientnonce)" = \
    "$(scep_attr recorded/000.der $sendernonce)"
assert "replay: same transactionID" test "$(scep_attr replay.der $transid)" = "$(scep_attr recorded/000.der $transid)"
assert "replay: CertRep signature verifies" openssl cms -verify -inform DER -in replay.der -CAfile trust.pem \
    -purpose any -out /dev/null
assert "replay: nothing issued" test "$(cert_count)" = "$n"

section "resends are only answered with a certificate in good standing"
# A resent PKCSReq (same transactionID and key) gets the recorded certificate only if it is not
# revoked and the subject is the same; otherwise it is authorised like a new request.
out=$("$ck" scep enroll --url "$url" --fingerprint "$root_fp" --key post-ec.key \
    --subject "CN=dev-post-ec,O=certkeeper" --challenge wrong --cert-out xf1.pem 2>&1); rc=$?
issued xf1.pem
assert "a resent PKCSReq is not answered with the revoked certificate" test "$rc" = 3
out=$("$ck" scep enroll --url "$url" --fingerprint "$root_fp" --key get-ec.key --subject "CN=someone-else" \
    --challenge wrong --cert-out xf2.pem 2>&1); rc=$?
issued xf2.pem
assert "a PKCSReq for another subject with a wrong challenge is refused" test "$rc" = 3

section "after everything"
assert "responder still running" kill -0 "$rpid"
expect "responder still answers getcaps" 0 "$ck" scep getcaps --url "$url"
"$responder" cert list --dir ca | cut -f1 | norm_serial | sort > listed.serials
sort -u issued.serials > expected.serials
assert "cert list holds exactly the $(wc -l < expected.serials) certificates good requests got" \
    diff expected.serials listed.serials
kill "$rpid"
wait "$rpid" 2>/dev/null
assert "responder stops on SIGTERM" bash -c 'grep -q "stopping on SIGTERM" responder.log'
# Also sanitizer reports (ASan/LSan at each stop, UBSan) when the binaries are built with them.
assert "no error lines or sanitizer reports in the responder log" bash -c \
    '! grep -E "^(error|fatal)|==[0-9]+==(ERROR|WARNING)|runtime error:" responder.log'

[ "$xfailed" -gt 0 ] && echo "$xfailed known bug(s) still present (xfail)"
if [ ${#skipped[@]} -gt 0 ]; then
    printf 'skipped: %s\n' "${skipped[@]}"
    finish responder || exit 1
    exit 77
fi
finish responder
