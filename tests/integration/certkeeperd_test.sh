#!/usr/bin/env bash
# certkeeperd --once end to end on 127.0.0.1 (docs/certkeeperd.md):
#  1. certkeeper-responder with a fresh CA (root -> issuing CA, static challenge): two profiles
#     (PEM separate + DER, and PKCS#12) enrolled, installed, key matches certificate, the chain
#     validates with `certkeeper chain verify`, `certkeeper status --json` and `history`; a second
#     --once run changes nothing; `certkeeper renew` makes the next run renew;
#  2. the responder in manual-approval mode: --once ends PENDING (exit 4), `pending approve`,
#     the next --once polls the same transaction and installs;
#  3. micromdm scepserver (Debian package `scep`), when installed.
# usage: certkeeperd_test.sh CERTKEEPERD CERTKEEPER CERTKEEPER_RESPONDER
daemon=${1:?usage: certkeeperd_test.sh CERTKEEPERD CERTKEEPER CERTKEEPER_RESPONDER}
ck=${2:?}
responder=${3:?}
. "$(dirname "$0")/lib.sh"
cd "$work" || exit 1

section() { printf '\n== %s\n' "$1"; }
printf 'mac = 00:11:22:aa:bb:cc\nserial = SN-4711\nhostname = it-device\n' > device.conf
run_once() {  # STATE_DIR PROFILES_DIR: one --once run; exit code in $rc, log in once.log
    "$daemon" --profiles "$2" --state-dir "$1" --once --device-config device.conf >once.log 2>&1
    rc=$?
}
json_get() {  # PYTHON_EXPR over the JSON in $out, e.g. 'd["profiles"][0]["state"]'
    python3 -c 'import json, sys; d = json.loads(sys.argv[1]); print(eval(sys.argv[2]))' "$out" "$1" 2>&1
}
check() {  # NAME GOT WANT
    if [ "$2" = "$3" ]; then ok "$1"; else not_ok "$1" "got '$2', want '$3'"; fi
}
# same_key with both files present (lib.sh's compares two empty outputs as equal).
same_key_files() { test -s "$1" && test -s "$2" && same_key "$1" "$2"; }

# --- certkeeper-responder ---
"$responder" init --dir ca --key rsa:2048 --intermediate >init.log 2>&1 || { cat init.log; exit 1; }
sed -i 's/^renewal_window_days = .*/renewal_window_days = 0/' ca/responder.conf
port=$(free_port)
url="http://127.0.0.1:$port/scep"
root_fp=$(fingerprint ca/chain.pem)
rpid=
start_responder() {
    if [ -n "$rpid" ]; then kill "$rpid"; wait "$rpid" 2>/dev/null; fi
    "$responder" serve --dir ca --port "$port" --challenge s3cret "$@" >>responder.log 2>&1 &
    rpid=$!
    pids+=("$rpid")
    wait_port "$port" || { cat responder.log; exit 1; }
}
start_responder

section "certkeeper-responder: two profiles, --once"
mkdir -p profiles stores
cat > profiles/10-tls.conf <<CONF
[profile "tls"]
url            = $url
ca_fingerprint = $root_fp
subject        = CN=\${MAC},serialNumber=\${SERIAL},O=certkeeper
san            = dns:\${HOSTNAME}.example.net
key            = rsa:2048
challenge      = s3cret
revocation     = off
store          = pem:$work/stores/tls/ mode=0640 layout=separate
store          = der:$work/stores/tls-der/
post_install   = /bin/sh -c "echo \$CERTKEEPER_SERIAL >> $work/post_install.log"
CONF
cat > profiles/20-vpn.conf <<CONF
[profile "vpn"]
url            = $url
ca_fingerprint = $root_fp
subject        = CN=\${HOSTNAME}-vpn
key            = ec:P-256
challenge      = s3cret
revocation     = ocsp,crl soft-fail
store          = pkcs12:$work/stores/vpn.p12 passphrase=p12pass
CONF
expect "profile check" 0 "$ck" profile check profiles
run_once state profiles
if [ "$rc" -eq 0 ]; then ok "--once: exit 0"; else not_ok "--once: exit $rc" "$(cat once.log)"; fi
assert "pem store: cert.pem, key.pem, chain.pem, fullchain.pem" test -s stores/tls/cert.pem -a -s stores/tls/key.pem -a -s stores/tls/chain.pem -a -s stores/tls/fullchain.pem
assert "key.pem matches cert.pem" same_key_files stores/tls/cert.pem stores/tls/key.pem
assert "key.pem mode 0640" bash -c '[ "$(stat -Lc %a stores/tls/key.pem)" = 640 ]'
assert "subject from the device variables" bash -c "openssl x509 -in stores/tls/cert.pem -noout -subject | grep 'CN = 00:11:22:AA:BB:CC' | grep -q 'serialNumber = SN-4711'"
assert "SAN from the hostname" bash -c "openssl x509 -in stores/tls/cert.pem -noout -ext subjectAltName | grep -q 'DNS:it-device.example.net'"
expect "chain verify against the pinned root" 0 "$ck" chain verify --anchor ca/chain.pem --fingerprint "$root_fp" \
    --untrusted stores/tls/chain.pem stores/tls/cert.pem
assert "der store: cert.der and key.der match" bash -c 'openssl x509 -inform DER -in stores/tls-der/cert.der -out der.pem && openssl pkey -inform DER -in stores/tls-der/key.der -out der.key && [ "$(openssl x509 -in der.pem -noout -pubkey)" = "$(openssl pkey -in der.key -pubout)" ]'
assert "pkcs12 store opens with its passphrase, key matches" bash -c 'openssl pkcs12 -in stores/vpn.p12 -passin pass:p12pass -nokeys -clcerts -out vpn.pem 2>/dev/null && openssl pkcs12 -in stores/vpn.p12 -passin pass:p12pass -nocerts -nodes -out vpn.key 2>/dev/null && [ "$(openssl x509 -in vpn.pem -noout -pubkey)" = "$(openssl pkey -in vpn.key -pubout)" ]'
assert "post_install ran once with the serial" bash -c "[ \$(wc -l < post_install.log) = 1 ] && [ \"\$(cat post_install.log)\" = \"\$(openssl x509 -in stores/tls/cert.pem -noout -serial | cut -d= -f2 | sed 's/^0*//')\" ]"
assert "challenge never logged" bash -c '! grep -q s3cret once.log'
expect "status --json" 0 "$ck" status --state-dir state --json
check "status: both profiles Valid with a certificate" \
    "$(json_get '" ".join(p["name"] + ":" + p["state"] + ":" + str(p["certificate"] is not None) for p in d["profiles"])')" \
    "tls:Valid:True vpn:Valid:True"
serial=$(openssl x509 -in stores/tls/cert.pem -noout -serial | cut -d= -f2 | sed 's/^0*//')
check "status: serial of the installed certificate" \
    "$(json_get '[p for p in d["profiles"] if p["name"] == "tls"][0]["certificate"]["serial"]')" "$serial"
check "status --json: next action as the machine persisted it" \
    "$(json_get '" ".join(p["name"] + ":" + p["next_action"] + ":" + str(bool(p["next_action_at"])) for p in d["profiles"])')" \
    "tls:renew:True vpn:check revocation:True"
expect "status (text)" 0 "$ck" status --state-dir state
assert "status: next renewal with its time" bash -c 'grep -Eq "^  next: +renew at [0-9]{4}-[0-9]{2}-[0-9]{2}T" <<<"$0"' "$out"
assert "status: next revocation re-check with its time" bash -c 'grep -Eq "^  next: +check revocation at [0-9]{4}-" <<<"$0"' "$out"
expect "history tls" 0 "$ck" history tls --state-dir state
assert "history: applied, enrolled, installed, valid" bash -c 'for e in profile_applied EnrolmentIssued Installed CleanedUp; do grep -q "$e" <<<"$0" || exit 1; done' "$out"
expect "history --json --limit 2" 0 "$ck" history tls --state-dir state --json --limit 2
check "history --limit 2: two entries" "$(json_get 'len(d)')" 2

section "a second --once changes nothing"
run_once state profiles
if [ "$rc" -eq 0 ]; then ok "second --once: exit 0"; else not_ok "second --once: exit $rc" "$(cat once.log)"; fi
assert "same certificate in service" bash -c "[ \"\$(openssl x509 -in stores/tls/cert.pem -noout -serial | cut -d= -f2 | sed 's/^0*//')\" = '$serial' ]"
assert "no new enrolment" bash -c '! grep -q PKCSReq once.log'

section "certkeeper renew"
expect "renew tls" 0 "$ck" renew tls --state-dir state
run_once state profiles
if [ "$rc" -eq 0 ]; then ok "--once after renew: exit 0"; else not_ok "--once after renew: exit $rc" "$(cat once.log)"; fi
new_serial=$(openssl x509 -in stores/tls/cert.pem -noout -serial | cut -d= -f2 | sed 's/^0*//')
assert "a new certificate is in service" test "$new_serial" != "$serial"
assert "renewed key matches" same_key_files stores/tls/cert.pem stores/tls/key.pem
expect "unknown profile: renew exit 1" 1 "$ck" renew nope --state-dir state

section "a profile changed while the daemon was stopped"
renewed_serial=$new_serial
sed -i 's/^key            = rsa:2048/key            = ec:P-256/' profiles/10-tls.conf
run_once state profiles
if [ "$rc" -eq 0 ]; then ok "--once after an offline change: exit 0"; else not_ok "--once after an offline change: exit $rc" "$(cat once.log)"; fi
assert "the change is noticed" grep -q "changed while the daemon was stopped" once.log
assert "re-enrolled with the new key type" bash -c "openssl x509 -in stores/tls/cert.pem -noout -text | grep -q 'id-ecPublicKey'"
assert "a new certificate replaced the renewed one" bash -c "[ \"\$(openssl x509 -in stores/tls/cert.pem -noout -serial | cut -d= -f2 | sed 's/^0*//')\" != '$renewed_serial' ]"
assert "new key matches" same_key_files stores/tls/cert.pem stores/tls/key.pem

section "manual approval: PENDING, approve, installed"
start_responder --manual-approval
mkdir -p profiles-manual
sed -e 's/"tls"/"manual"/' -e "s#stores/tls#stores/manual#g" -e '/^post_install/d' -e '/^store *= der/d' \
    -e 's/^poll_interval.*//' profiles/10-tls.conf > profiles-manual/10-manual.conf
# --once does not wait for a poll that is not due yet: the second run comes after the interval.
printf 'poll_interval = 3s\n' >> profiles-manual/10-manual.conf
run_once state-manual profiles-manual
if [ "$rc" -eq 4 ]; then ok "--once while PENDING: exit 4"; else not_ok "--once while PENDING: exit $rc (want 4)" "$(cat once.log)"; fi
assert "nothing installed yet" test ! -e stores/manual/cert.pem
expect "status --json while pending" 0 "$ck" status --state-dir state-manual --json
check "status: Polling" "$(json_get 'd["profiles"][0]["state"]')" Polling
check "status: next action poll" "$(json_get 'd["profiles"][0]["next_action"]')" poll
tid=$("$responder" pending list --dir ca | awk -F'\t' 'NR == 1 { print $1 }')
assert "the responder holds the request" test -n "$tid"
expect "pending approve" 0 "$responder" pending approve "$tid" --dir ca
sleep 3.5
run_once state-manual profiles-manual
if [ "$rc" -eq 0 ]; then ok "--once after approval: exit 0"; else not_ok "--once after approval: exit $rc" "$(cat once.log)"; fi
assert "installed after approval" same_key_files stores/manual/cert.pem stores/manual/key.pem
assert "the same transaction was polled (CertPoll)" grep -q CertPoll once.log

section "daemon mode: SIGHUP, inotify, SIGTERM"
start_responder
"$daemon" --profiles profiles --state-dir state --foreground --device-config device.conf >daemon.log 2>&1 &
dpid=$!
pids+=("$dpid")
for _ in $(seq 50); do [ -s state/certkeeperd.pid ] && break; sleep 0.1; done
assert "pid file names the daemon" bash -c "[ \"\$(cat state/certkeeperd.pid)\" = $dpid ]"
expect "status: running" 0 "$ck" status --state-dir state --json
check "status: daemon_pid" "$(json_get 'd["daemon_pid"]')" "$dpid"
expect "second daemon on the same state dir refused (exit 2)" 2 "$daemon" --profiles profiles --state-dir state --once
kill -HUP "$dpid"
for _ in $(seq 50); do grep -q "SIGHUP: re-reading" daemon.log && break; sleep 0.1; done
assert "SIGHUP re-reads the profiles" grep -q "SIGHUP: re-reading" daemon.log
rm profiles/20-vpn.conf
for _ in $(seq 50); do grep -q "profile vpn: removed" daemon.log && break; sleep 0.1; done
assert "removed profile noticed through inotify" grep -q "profile vpn: removed" daemon.log
assert "its installed file stays" test -s stores/vpn.p12
kill -TERM "$dpid"
for _ in $(seq 100); do kill -0 "$dpid" 2>/dev/null || break; sleep 0.1; done
assert "SIGTERM: the daemon ended" bash -c "! kill -0 $dpid 2>/dev/null"
wait "$dpid"; assert "SIGTERM: exit 0" test $? -eq 0
assert "pid file removed" test ! -e state/certkeeperd.pid

section "micromdm scepserver"
if ! command -v scepserver >/dev/null; then
    echo "skipped: scepserver is not installed (apt-get install scep)"
else
    scepserver ca -init -depot depot -keySize 2048 >/dev/null 2>&1
    sport=$(free_port)
    scepserver -depot depot -port "$sport" -challenge s3cret -allowrenew 0 >scepserver.log 2>&1 &
    pids+=("$!")
    wait_port "$sport" || { cat scepserver.log; exit 1; }
    mkdir -p profiles-micromdm
    cat > profiles-micromdm/10-mdm.conf <<CONF
[profile "mdm"]
url            = http://127.0.0.1:$sport/scep
ca_fingerprint = $(fingerprint depot/ca.pem)
subject        = CN=\${SERIAL},O=certkeeper
key            = rsa:2048
challenge      = s3cret
revocation     = off
store          = pem:$work/stores/mdm/ layout=fullchain
CONF
    run_once state-mdm profiles-micromdm
    if [ "$rc" -eq 0 ]; then ok "scepserver: --once exit 0"; else not_ok "scepserver: --once exit $rc" "$(cat once.log)"; fi
    assert "scepserver: fullchain.pem + key.pem match" same_key_files stores/mdm/fullchain.pem stores/mdm/key.pem
    expect "scepserver: chain verify" 0 "$ck" chain verify --anchor depot/ca.pem stores/mdm/fullchain.pem
fi

finish certkeeperd_test
