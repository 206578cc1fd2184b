#!/usr/bin/env bash
# certkeeperd's CWMP (TR-069) agent end to end on 127.0.0.1 (docs/cwmp.md), driven by the test
# ACS tests/acs/acs.py (HTTP Digest to the ACS, every CPE envelope recorded):
#  1. BOOTSTRAP; the ACS turns on active notification for Device.Security.Certificate. and pushes
#     a profile by Download -> TransferComplete 0 -> enrolment at certkeeper-responder ->
#     Inform "4 VALUE CHANGE" with the installed certificate's SerialNumber and NotAfter;
#  2. connection requests: wrong password 401, good digest 200 + "6 CONNECTION REQUEST",
#     replayed Authorization 401, a second good one within 5 s 503; in that session bad input:
#     Upload and an unknown RPC (9000), GetParameterValues of an unknown name (9005),
#     SetParameterValues with one unknown and one valid name (9003 with 9005, nothing applied),
#     a wrong xsi:type (9003 with 9006), then malformed XML (the session fails, a retry follows);
#  3. the ACS drops the Inform twice: retried with RetryCount > 0, the event is delivered; in the
#     session a revised profile by SetParameterValues (KeyType, Subject) -> re-enrolment ->
#     VALUE CHANGE with the new SerialNumber on the same Device.Security.Certificate instance;
#  4. the ACS drops the empty POST after the InformResponse: the retry session serves the
#     Download of a broken profile file -> TransferComplete 9018, the profile in service stays;
#  5. the ACS stalls on the Inform: the agent's exchange times out, the retry delivers;
#  6. an oversized envelope (1.5 MiB) is refused, the session fails and is retried;
#     Reboot (certkeeperd starts again: M Reboot + 1 BOOT, the profile runs on, a Download accepted
#     before it is finished after it) and FactoryReset
#     (0 BOOTSTRAP, the ACS's profiles and the keys gone);
#  7. SIGTERM; --once against the ACS (1 BOOT, exit 0); --once with the ACS down gives up after
#     3 failed sessions (exit 1), the next --once delivers the queued event;
#  8. an HTTPS ACS: refused without --acs-ca or without a client certificate; with --acs-ca and
#     the certificate the profile installed as TLS client certificate, --once delivers BOOTSTRAP;
#  9. every envelope the agent sent passes ../shared/tools/cwmp-validate (skipped without it).
# usage: cwmp_test.sh CERTKEEPERD CERTKEEPER CERTKEEPER_RESPONDER
daemon=${1:?usage: cwmp_test.sh CERTKEEPERD CERTKEEPER CERTKEEPER_RESPONDER}
ck=${2:?}
responder=${3:?}
here=$(cd "$(dirname "$0")" && pwd)
acs_py=$here/../acs/acs.py
validator=$here/../../../shared/tools/cwmp-validate
for tool in python3 openssl curl sqlite3; do
    command -v "$tool" >/dev/null || { echo "SKIP: $tool is not installed"; exit 77; }
done
. "$here/lib.sh"
cd "$work" || exit 1
started=$SECONDS

section() { printf '\n== %s (%d s)\n' "$1" $((SECONDS - started)); }
check() {  # NAME GOT WANT
    if [ "$2" = "$3" ]; then ok "$1"; else not_ok "$1" "got '$2', want '$3'"; fi
}
py() {  # PYTHON_EXPR over the JSON in $out as d (json, re available)
    python3 -c 'import json, re, sys; d = json.loads(sys.argv[1]); print(eval(sys.argv[2]))' "$out" "$1" 2>&1
}
# profile_rows FIELD...: from `certkeeper status --json` in $out, per profile the fields named
# (name, source, revision, state; serial = the certificate's, without leading zeros).
profile_rows() {
    py "[tuple(((p['certificate'] or {}).get('serial', '').lstrip('0') if f == 'serial' else p[f]) for f in '$*'.split()) for p in d['profiles']]"
}
serial_of() { openssl x509 -in "$1" -noout -serial | cut -d= -f2 | sed 's/^0*//'; }
not_after_of() { date -u -d "$(openssl x509 -in "$1" -noout -enddate | cut -d= -f2)" +%Y-%m-%dT%H:%M:%SZ; }

# --- certkeeper-responder (as certkeeperd_test.sh) ---
"$responder" init --dir ca --key rsa:2048 --intermediate >init.log 2>&1 || { cat init.log; exit 1; }
sed -i 's/^renewal_window_days = .*/renewal_window_days = 0/' ca/responder.conf
sport=$(free_port)
"$responder" serve --dir ca --port "$sport" --challenge s3cret >responder.log 2>&1 &
pids+=("$!")
wait_port "$sport" || { cat responder.log; exit 1; }
root_fp=$(fingerprint ca/chain.pem)

# --- the ACS ---
oui=001122
vendor="Device.X_${oui}_CertificateProfile."
aport=$(free_port)
acs_url="http://127.0.0.1:$aport/acs"
ctl_base="http://127.0.0.1:$aport/control"
mkdir -p files rec profiles stores
cat > files/tls.conf <<CONF
[profile "tls"]
url            = http://127.0.0.1:$sport/scep
ca_fingerprint = $root_fp
subject        = CN=\${SERIAL},O=certkeeper
san            = dns:\${HOSTNAME}.example.net
key            = rsa:2048
challenge      = s3cret
revocation     = off
store          = pem:$work/stores/tls/ mode=0600 layout=separate
CONF
# A section header that never closes and a key that does not exist.
printf '[profile "tls"\nurl = http://127.0.0.1:%s/scep\nfrobnicate = yes\n' "$sport" > files/broken.conf
cat > script-a.json <<JSON
[{"method":"SetParameterAttributes","params":[["Device.Security.Certificate.",2]]},
 {"method":"SetParameterValues","key":"k-retry","params":[
   ["Device.ManagementServer.CWMPRetryMinimumWaitInterval","1","xsd:unsignedInt"],
   ["Device.ManagementServer.CWMPRetryIntervalMultiplier","1000","xsd:unsignedInt"]]},
 {"method":"GetParameterValues","names":["Device.DeviceInfo.","Device.ManagementServer.ParameterKey"]},
 {"method":"Download","file":"tls.conf","file_type":"3 Vendor Configuration File","command_key":"dl-tls"}]
JSON
start_acs() {  # RECORD_DIR [acs.py options]: the ACS on $aport, pid in $acs_pid
    local rec=$1; shift
    python3 "$acs_py" --port "$aport" --record "$rec" --files files --auth digest --username acs \
        --password acs-s3cret "$@" >>acs.log 2>&1 &
    acs_pid=$!
    pids+=("$acs_pid")
    wait_port "$aport" || { cat acs.log; exit 1; }
}
start_acs rec --script @script-a.json

# ctl WHAT JSON: POST to the control API; body in $out, HTTP status in $status.
ctl() {
    local r
    r=$(curl -s -m 70 -w '\n%{http_code}' -X POST --data-binary "$2" "$ctl_base/$1")
    status=${r##*$'\n'}
    out=${r%$'\n'*}
}
# wait_for FILTER_JSON: the first CPE envelope after $after matching FILTER (method, event,
# timeout); its summary in $out. Fails on time-out.
wait_for() {
    ctl wait "$(python3 -c 'import json, sys; d = json.loads(sys.argv[1]); d.setdefault("after", int(sys.argv[2])); d.setdefault("timeout", 30); print(json.dumps(d))' "$1" "$after")"
    [ "$status" = 200 ]
}
# expect_msg NAME FILTER_JSON: wait_for; on success $after moves to the envelope found (the next
# expect_msg looks at what came later), on time-out a failure is recorded - and if certkeeperd
# is gone the test ends here rather than waiting out every later step.
expect_msg() {
    if wait_for "$2"; then
        after=$(py 'd["seq"]')
        return 0
    fi
    not_ok "$1: nothing matching $2 from the agent" "$(tail -n 20 daemon.log)"
    out='{}'
    if [ -n "${dpid:-}" ] && ! daemon_alive; then
        not_ok "certkeeperd is gone" "$(tail -n 40 daemon.log)"
        finish cwmp_test
        exit 1
    fi
    return 1
}
last_seq() { curl -s -m 10 "$ctl_base/log" | python3 -c 'import json, sys; l = json.load(sys.stdin)["log"]; print(l[-1]["seq"] if l else 0)'; }
acs_log() { out=$(curl -s -m 10 "$ctl_base/log"); }
# cr [EXTRA_JSON_FIELDS]: a connection request through the ACS; result in $out, status in $cr_status.
cr() {
    ctl connection-request "{\"url\":\"$cr_url\",\"username\":\"$oui-SN-4711\",\"password\":\"cr-s3cret\"${1:+,$1}}"
    cr_status=$(py 'd.get("status")')
}
cr_accepted_at=0
# cr_spaced: a good connection request at least 5 s after the last accepted one (503 otherwise).
cr_spaced() {
    local wait_s
    wait_s=$(python3 -c "import time; print(max(0.0, $cr_accepted_at + 5.5 - time.time()))")
    sleep "$wait_s"
    cr
    [ "$cr_status" = 200 ] && cr_accepted_at=$(date +%s.%N)
}
daemon_alive() { kill -0 "$dpid" 2>/dev/null; }
serial1= serial2= inst=0 pidx=1 interval_before= revision1= revision2= dpid=
count_failed() { grep -c 'cwmp: session failed' daemon.log; }
# wait_idle: up to 10 s until every session the agent opened has ended (so that requests and
# misbehaviours queued next go to the session the test opens, not to one still running).
wait_idle() {
    for _ in $(seq 100); do
        [ "$(grep -c 'cwmp: session to' daemon.log)" -eq "$(grep -Ec 'cwmp: session (ended|failed)' daemon.log)" ] && return 0
        sleep 0.1
    done
    not_ok "the agent is still in a session after 10 s" "$(tail -n 10 daemon.log)"
}

# --- certkeeperd ---
cat > device.conf <<CONF
mac = 00:11:22:aa:bb:cc
serial = SN-4711
hostname = it-device
oui = $oui
manufacturer = certkeeper-it
product_class = it-box
model_name = IT-Model-7
# CWMP settings may come from this file as well as from the command line
periodic_inform_interval = 0
CONF
printf 'acs-s3cret\n' > acs.pw
printf 'cr-s3cret\n' > cr.pw
crport=$(free_port)
cr_url="http://127.0.0.1:$crport/"
daemon_args=(--profiles profiles --state-dir state --device-config device.conf --acs "$acs_url"
             --acs-username acs --acs-password-file acs.pw --connection-request-address 127.0.0.1
             --connection-request-port "$crport" --connection-request-password-file cr.pw)
"$daemon" "${daemon_args[@]}" --foreground >daemon.log 2>&1 &
dpid=$!
pids+=("$dpid")

section "BOOTSTRAP, Download of a profile, enrolment, VALUE CHANGE"
after=0
if expect_msg "BOOTSTRAP" '{"method":"Inform","event":"0 BOOTSTRAP","timeout":20}'; then
    ok "Inform with 0 BOOTSTRAP"
    check "DeviceId: OUI, SerialNumber, ProductClass, Manufacturer" \
        "$(py 'd["device"].get("OUI"), d["device"].get("SerialNumber"), d["device"].get("ProductClass"), d["device"].get("Manufacturer")')" \
        "('$oui', 'SN-4711', 'it-box', 'certkeeper-it')"
    check "ConnectionRequestURL in the Inform" \
        "$(py 'd["params"].get("Device.ManagementServer.ConnectionRequestURL")')" "$cr_url"
    check "RetryCount 0" "$(py 'd["retry_count"]')" 0
fi
p="$vendor$pidx."
assert "log: connection requests at $cr_url" grep -q "cwmp: connection requests at $cr_url" daemon.log
if expect_msg "SetParameterAttributes" '{"method":"SetParameterAttributesResponse"}'; then
    ok "SetParameterAttributes Device.Security.Certificate. notification 2 accepted"
fi
if expect_msg "SetParameterValues retry settings" '{"method":"SetParameterValuesResponse"}'; then
    check "SetParameterValues CWMPRetryMinimumWaitInterval: Status 0" "$(py 'd.get("status")')" 0
fi
if expect_msg "GetParameterValues Device.DeviceInfo." '{"method":"GetParameterValuesResponse"}'; then
    check "Device.DeviceInfo. from the device config" \
        "$(py 'd["params"].get("Device.DeviceInfo.ModelName"), d["params"].get("Device.DeviceInfo.ManufacturerOUI"), d["params"].get("Device.DeviceInfo.SerialNumber")')" \
        "('IT-Model-7', '$oui', 'SN-4711')"
    check "ParameterKey set by the SetParameterValues" "$(py 'd["params"].get("Device.ManagementServer.ParameterKey")')" k-retry
fi
if expect_msg "Download" '{"method":"DownloadResponse"}'; then
    check "DownloadResponse Status 1 (after the session)" "$(py 'd.get("status")')" 1
fi
download_seq=$after
if expect_msg "TransferComplete" '{"method":"Inform","event":"7 TRANSFER COMPLETE"}'; then
    check "the Inform carries M Download with the CommandKey" "$(py '["M Download", "dl-tls"] in d["events"]')" True
fi
if expect_msg "TransferComplete" '{"method":"TransferComplete"}'; then
    check "TransferComplete dl-tls: FaultCode 0" "$(py 'd["command_key"], d["fault_code"]')" "('dl-tls', 0)"
fi
after=$download_seq  # the enrolment may end before the TransferComplete's session starts
if expect_msg "VALUE CHANGE after the enrolment" '{"method":"Inform","event":"4 VALUE CHANGE","timeout":40}'; then
    ok "Inform with 4 VALUE CHANGE after the enrolment"
    vc1=$out
    assert "the profile's certificate is installed, key matches" \
        bash -c 'test -s stores/tls/cert.pem && test -s stores/tls/key.pem && [ "$(openssl x509 -in stores/tls/cert.pem -noout -pubkey)" = "$(openssl pkey -in stores/tls/key.pem -pubout)" ]'
    serial1=$(serial_of stores/tls/cert.pem 2>/dev/null)
    inst=$(py "next((m.group(1) for k, v in d['params'].items() for m in [re.fullmatch(r'Device\.Security\.Certificate\.(\d+)\.SerialNumber', k)] if m and v.lstrip('0') == '$serial1'), '')")
    if [ -n "$serial1" ] && [ -n "$inst" ]; then
        ok "VALUE CHANGE: Device.Security.Certificate.$inst.SerialNumber = the installed certificate's ($serial1)"
    else
        not_ok "VALUE CHANGE: no Device.Security.Certificate.{i}.SerialNumber = '$serial1'" "$(py 'json.dumps(d["params"], indent=1)')"
    fi
    inst=${inst:-0}
    check "VALUE CHANGE: the Inform lists it once" "$(py "len([k for k in d['params'] if k == 'Device.Security.Certificate.$inst.SerialNumber'])")" 1
    check "VALUE CHANGE: its NotAfter" "$(py "d['params'].get('Device.Security.Certificate.$inst.NotAfter')")" \
        "$(not_after_of stores/tls/cert.pem 2>/dev/null)"
    check "VALUE CHANGE: its Subject names the device serial" \
        "$(py "'SN-4711' in d['params'].get('Device.Security.Certificate.$inst.Subject', '')")" True
    assert "subject from the pushed profile" bash -c "openssl x509 -in stores/tls/cert.pem -noout -subject | grep -q 'CN = SN-4711'"
fi
expect "certkeeper status --json" 0 "$ck" status --state-dir state --json
check "status: profile tls from the ACS (source cwmp), Valid, the installed serial" \
    "$(profile_rows name source state serial)" \
    "[('tls', 'cwmp', 'Valid', '${serial1:-?}')]"
revision1=$(py 'next((p["revision"] for p in d["profiles"] if p["name"] == "tls"), "")')

section "connection requests; bad input from the ACS"
wait_idle
# Served by the session the connection request opens.
ctl script "[{\"method\":\"GetParameterValues\",\"names\":[\"$vendor\"]},
 {\"method\":\"Raw\",\"body\":\"<cwmp:Upload><CommandKey>u1</CommandKey><FileType>1 Vendor Configuration File</FileType><URL>http://127.0.0.1:$aport/files/up</URL><Username></Username><Password></Password><DelaySeconds>0</DelaySeconds></cwmp:Upload>\"},
 {\"misbehave\":\"unknown_rpc\"},
 {\"method\":\"GetParameterValues\",\"names\":[\"Device.NoSuchObject.Parameter\"]},
 {\"method\":\"GetParameterValues\",\"names\":[\"Device.ManagementServer.PeriodicInformInterval\",\"Device.ManagementServer.PeriodicInformEnable\"]},
 {\"method\":\"SetParameterValues\",\"key\":\"k-bad\",\"params\":[[\"Device.ManagementServer.NoSuchParameter\",\"1\",\"xsd:unsignedInt\"],[\"Device.ManagementServer.PeriodicInformInterval\",\"4242\",\"xsd:unsignedInt\"]]},
 {\"method\":\"SetParameterValues\",\"key\":\"k-type\",\"params\":[[\"Device.ManagementServer.PeriodicInformInterval\",\"true\",\"xsd:boolean\"]]},
 {\"method\":\"GetParameterValues\",\"names\":[\"Device.ManagementServer.PeriodicInformInterval\",\"Device.ManagementServer.ParameterKey\"]},
 {\"misbehave\":\"malformed\"}]"
after=$(last_seq)
failed_before=$(count_failed)
cr '"wrong_password":true'
check "connection request, wrong password: 401" "$cr_status" 401
cr
check "connection request, good digest: 200" "$cr_status" 200
[ "$cr_status" = 200 ] && cr_accepted_at=$(date +%s.%N)
good_auth=$(py 'd.get("authorization") or ""')
cr "$(python3 -c 'import json, sys; print("\"replay\":" + json.dumps(sys.argv[1]))' "$good_auth")"
check "connection request, replayed Authorization: 401" "$cr_status" 401
cr
check "connection request, a second good one within 5 s: 503" "$cr_status" 503
assert "503 carries Retry-After" test -n "$(py 'd.get("retry_after") or ""')"
if expect_msg "CONNECTION REQUEST" '{"method":"Inform","event":"6 CONNECTION REQUEST","timeout":15}'; then
    ok "Inform with 6 CONNECTION REQUEST"
fi
cr_seq=$after
if expect_msg "GetParameterValues $vendor" '{"method":"GetParameterValuesResponse"}'; then
    pidx=$(py "next((m.group(1) for k, v in d['params'].items() for m in [re.fullmatch(r'Device\.X_${oui}_CertificateProfile\.(\d+)\.Name', k)] if m and v == 'tls'), '')")
    if [ -n "$pidx" ]; then ok "$vendor{i}.Name = tls (instance $pidx)"; else not_ok "no $vendor{i}.Name = tls" "$out"; fi
    pidx=${pidx:-1}
    p="$vendor$pidx."
    check "the pushed profile's values: KeyType, Subject, Challenge (secret) read back" \
        "$(py "d['params'].get('${p}KeyType'), d['params'].get('${p}Subject'), d['params'].get('${p}Challenge')")" \
        "('rsa:2048', 'CN=\${SERIAL},O=certkeeper', '')"
    check "Status.State Valid, Status.CertificateSerialNumber = the installed one" \
        "$(py "d['params'].get('${p}Status.State'), d['params'].get('${p}Status.CertificateSerialNumber', '').lstrip('0')")" \
        "('Valid', '${serial1:-?}')"
fi
if expect_msg "Upload" '{"method":"Fault"}'; then
    check "Upload (not implemented): fault 9000" "$(py 'd["fault_code"]')" 9000
fi
if expect_msg "unknown RPC" '{"method":"Fault"}'; then
    check "cwmp:X_Frobnicate (unknown RPC): fault 9000 with the request's cwmp:ID" "$(py 'd["fault_code"], d["id"]')" "(9000, 'acs-unknown')"
fi
if expect_msg "GetParameterValues unknown name" '{"method":"Fault"}'; then
    check "GetParameterValues of an unknown name: fault 9005" "$(py 'd["fault_code"]')" 9005
fi
if expect_msg "GetParameterValues PeriodicInformInterval" '{"method":"GetParameterValuesResponse"}'; then
    interval_before=$(py 'd["params"].get("Device.ManagementServer.PeriodicInformInterval")')
    assert "PeriodicInformInterval readable ($interval_before), not the value about to be tried" \
        bash -c '[ -n "$0" ] && [ "$0" != None ] && [ "$0" != 4242 ]' "$interval_before"
    check "periodic_inform_interval = 0 in the device config: PeriodicInformEnable false" \
        "$(py 'd["params"].get("Device.ManagementServer.PeriodicInformEnable") in ("false", "0")')" True
fi
if expect_msg "SetParameterValues unknown + valid name" '{"method":"Fault"}'; then
    check "SetParameterValues, one unknown name and one valid: 9003 with only 9005 for the unknown one" \
        "$(py 'd["fault_code"], d["parameter_faults"]')" "(9003, [['Device.ManagementServer.NoSuchParameter', 9005]])"
fi
if expect_msg "SetParameterValues wrong type" '{"method":"Fault"}'; then
    check "SetParameterValues with xsd:boolean for an unsignedInt: 9003 with 9006" \
        "$(py 'd["fault_code"], d["parameter_faults"]')" "(9003, [['Device.ManagementServer.PeriodicInformInterval', 9006]])"
fi
if expect_msg "GetParameterValues after the refused SetParameterValues" '{"method":"GetParameterValuesResponse"}'; then
    check "nothing applied: PeriodicInformInterval and ParameterKey unchanged" \
        "$(py 'd["params"].get("Device.ManagementServer.PeriodicInformInterval"), d["params"].get("Device.ManagementServer.ParameterKey")')" \
        "('${interval_before:-?}', 'k-retry')"
fi
# The malformed answer ends the session as failed; the retry opens a new one.
if expect_msg "retry after malformed XML" '{"method":"Inform","timeout":20}'; then
    check "after malformed XML: the next Inform is a retry (RetryCount 1)" "$(py 'd["retry_count"]')" 1
fi
assert "after malformed XML: the session failed (log)" test "$(count_failed)" -gt "$failed_before"
assert "after malformed XML: certkeeperd still runs" daemon_alive
acs_log
check "the 503 opened no session: one Inform with 6 CONNECTION REQUEST" \
    "$(py "len([s for s in d['log'] if s['seq'] > $cr_seq - 1 and s['method'] == 'Inform' and any(e[0] == '6 CONNECTION REQUEST' for e in s['events'])])")" 1

section "dropped Informs, retried; a revised profile by SetParameterValues"
wait_idle
ctl misbehave '{"mode":"drop","on":"inform"}'
ctl misbehave '{"mode":"drop","on":"inform"}'
ctl script "[{\"method\":\"SetParameterValues\",\"key\":\"k-rev\",\"params\":[[\"${p}KeyType\",\"ec:P-256\",\"xsd:string\"],[\"${p}Subject\",\"CN=\${SERIAL}-v2,O=certkeeper\",\"xsd:string\"]]},
 {\"method\":\"GetParameterValues\",\"names\":[\"${p}KeyType\",\"${p}Subject\",\"Device.ManagementServer.ParameterKey\"]}]"
after=$(last_seq)
failed_before=$(count_failed)
cr_spaced
check "connection request 5 s later: 200" "$cr_status" 200
# The first Inform goes to the dropping ACS (libcurl may resend once on a fresh connection);
# the one that reaches the ACS's InformResponse must be a retry.
drop_seq=$after
if expect_msg "CONNECTION REQUEST after drops" '{"method":"SetParameterValuesResponse","timeout":30}'; then
    spv_seq=$after
    check "SetParameterValues of the revised profile: Status 0" "$(py 'd.get("status")')" 0
    acs_log
    check "the session after the drops: its Inform has 6 CONNECTION REQUEST and RetryCount > 0" \
        "$(py "[(any(e[0] == '6 CONNECTION REQUEST' for e in s['events']), int(s['retry_count']) > 0) for s in d['log'] if $drop_seq < s['seq'] < $spv_seq and s['method'] == 'Inform'][-1:]")" \
        "[(True, True)]"
fi
assert "the dropped sessions failed (log)" test "$(count_failed)" -gt "$failed_before"
if expect_msg "GetParameterValues of the revised profile" '{"method":"GetParameterValuesResponse"}'; then
    check "revised values read back, ParameterKey k-rev" \
        "$(py "d['params'].get('${p}KeyType'), d['params'].get('${p}Subject'), d['params'].get('Device.ManagementServer.ParameterKey')")" \
        "('ec:P-256', 'CN=\${SERIAL}-v2,O=certkeeper', 'k-rev')"
fi
if expect_msg "VALUE CHANGE after the re-enrolment" '{"method":"Inform","event":"4 VALUE CHANGE","timeout":40}'; then
    ok "Inform with 4 VALUE CHANGE after the re-enrolment"
    serial2=$(serial_of stores/tls/cert.pem 2>/dev/null)
    assert "a new certificate is installed" test -n "$serial2" -a "$serial2" != "${serial1:-}"
    check "VALUE CHANGE: the same instance $inst carries the new SerialNumber" \
        "$(py "d['params'].get('Device.Security.Certificate.$inst.SerialNumber', '').lstrip('0')")" "${serial2:-?}"
    check "VALUE CHANGE: and its NotAfter" "$(py "d['params'].get('Device.Security.Certificate.$inst.NotAfter')")" \
        "$(not_after_of stores/tls/cert.pem 2>/dev/null)"
    assert "re-enrolled with an EC key" bash -c "openssl x509 -in stores/tls/cert.pem -noout -text | grep -q id-ecPublicKey"
    assert "key matches" bash -c '[ "$(openssl x509 -in stores/tls/cert.pem -noout -pubkey)" = "$(openssl pkey -in stores/tls/key.pem -pubout)" ]'
    assert "with the revised subject" bash -c "openssl x509 -in stores/tls/cert.pem -noout -subject | grep -q 'CN = SN-4711-v2'"
fi
expect "certkeeper status --json" 0 "$ck" status --state-dir state --json
check "status: tls Valid with the new certificate" \
    "$(profile_rows name source state serial)" \
    "[('tls', 'cwmp', 'Valid', '${serial2:-?}')]"
revision2=$(py 'next((p["revision"] for p in d["profiles"] if p["name"] == "tls"), "")')
assert "status: a new revision of the profile ($revision1 -> $revision2)" test "$revision2" != "$revision1"

section "a drop after the InformResponse; Download of a broken profile file"
wait_idle
# Two drops: libcurl resends once by itself when a kept-alive connection dies unanswered.
ctl misbehave '{"mode":"drop","on":"empty"}'
ctl misbehave '{"mode":"drop","on":"empty"}'
ctl script '[{"method":"Download","file":"broken.conf","file_type":"X 001122 Certificate Profile","command_key":"dl-broken"}]'
after=$(last_seq)
failed_before=$(count_failed)
drop_seq=$after
cr_spaced
check "connection request: 200" "$cr_status" 200
if expect_msg "Download after the dropped empty POST" '{"method":"DownloadResponse","timeout":30}'; then
    acs_log
    check "the session serving the Download is a retry (RetryCount > 0)" \
        "$(py "[int(s['retry_count']) > 0 for s in d['log'] if $drop_seq < s['seq'] < $after and s['method'] == 'Inform'][-1:]")" "[True]"
fi
assert "the session with the dropped empty POST failed (log)" test "$(count_failed)" -gt "$failed_before"
if expect_msg "TransferComplete of the broken file" '{"method":"TransferComplete","timeout":30}'; then
    check "TransferComplete dl-broken: FaultCode 9018 (file corrupted)" "$(py 'd["command_key"], d["fault_code"]')" "('dl-broken', 9018)"
    assert "with a FaultString" test -n "$(py 'd["fault_string"]')"
fi
expect "certkeeper status --json" 0 "$ck" status --state-dir state --json
check "the profile in service stays (revision, state, certificate)" \
    "$(profile_rows name revision state serial)" \
    "[('tls', ${revision2:-0}, 'Valid', '${serial2:-?}')]"
check "the installed certificate stays" "$(serial_of stores/tls/cert.pem 2>/dev/null)" "${serial2:-?}"

section "the ACS stalls on the Inform (the agent's exchange times out, then retries)"
wait_idle
ctl misbehave '{"mode":"stall","seconds":45,"on":"inform"}'
ctl script "[{\"method\":\"GetParameterValues\",\"names\":[\"${p}KeyType\",\"${p}Status.State\",\"${p}Status.CertificateSerialNumber\"]}]"
after=$(last_seq)
failed_before=$(count_failed)
cr_spaced
check "connection request: 200" "$cr_status" 200
if expect_msg "the stalled Inform" '{"method":"Inform","event":"6 CONNECTION REQUEST","timeout":10}'; then
    if expect_msg "the retried Inform" '{"method":"Inform","event":"6 CONNECTION REQUEST","timeout":50}'; then
        check "the retry delivers 6 CONNECTION REQUEST with RetryCount 1" "$(py 'd["retry_count"]')" 1
    fi
fi
assert "the stalled session failed on a time-out (log)" \
    bash -c '[ "$(grep -c "cwmp: session failed" daemon.log)" -gt "$0" ] && grep "cwmp: session failed" daemon.log | tail -n 1 | grep -q timeout' "$failed_before"
if expect_msg "GetParameterValues after the stall" '{"method":"GetParameterValuesResponse"}'; then
    check "the revised profile still in service (KeyType, State, certificate)" \
        "$(py "d['params'].get('${p}KeyType'), d['params'].get('${p}Status.State'), d['params'].get('${p}Status.CertificateSerialNumber', '').lstrip('0')")" \
        "('ec:P-256', 'Valid', '${serial2:-?}')"
fi
acs_log
check "the ACS saw no protocol error (cookies, cwmp:IDs)" "$(py 'd["errors"]')" "[]"
assert "no secret in the daemon's log" bash -c '! grep -Eq "acs-s3cret|cr-s3cret|s3cret" daemon.log'

section "an oversized envelope from the ACS"
wait_idle
# 1.5 MiB of body (the agent takes at most 1 MiB per envelope): refused unread, the session fails.
python3 -c 'import json; print(json.dumps([{"method": "Raw", "body": "<cwmp:GetRPCMethods/><!--" + "x" * (1536 * 1024) + "-->"}]))' > big.json
curl -s -m 30 -o /dev/null -X POST --data-binary @big.json "$ctl_base/script"
after=$(last_seq)
failed_before=$(count_failed)
cr_spaced
check "connection request: 200" "$cr_status" 200
if expect_msg "the retry after the oversized envelope" '{"method":"Inform","event":"6 CONNECTION REQUEST","timeout":30}' &&
   expect_msg "the retry after the oversized envelope" '{"method":"Inform","timeout":30}'; then
    check "after the oversized envelope: the next Inform is a retry (RetryCount 1)" "$(py 'd["retry_count"]')" 1
fi
assert "the oversized envelope was refused (log: larger than 1 MiB)" \
    bash -c '[ "$(grep -c "cwmp: session failed" daemon.log)" -gt "$0" ] && grep "cwmp: session failed" daemon.log | tail -n 1 | grep -q "larger than"' "$failed_before"
assert "after the oversized envelope: certkeeperd still runs" daemon_alive

section "Reboot and FactoryReset"
wait_idle
# A Download with DelaySeconds 4 in the same session: the reboot comes first, the Download is
# kept in the state database and finished by the restarted daemon.
ctl script '[{"method":"Download","file":"broken.conf","file_type":"3 Vendor Configuration File","command_key":"dl-boot","delay":4},
 {"method":"Reboot","command_key":"rb-1"}]'
after=$(last_seq)
cr_spaced
check "connection request for the Reboot: 200" "$cr_status" 200
if expect_msg "the Inform after the Reboot" '{"method":"Inform","event":"M Reboot","timeout":30}'; then
    check "after the Reboot: M Reboot with its CommandKey, and 1 BOOT" \
        "$(py 'sorted(tuple(e) for e in d["events"])')" "[('1 BOOT', ''), ('M Reboot', 'rb-1')]"
fi
if expect_msg "the Download accepted before the Reboot" '{"method":"TransferComplete","timeout":30}'; then
    check "the Download accepted before the Reboot is finished after it (TransferComplete dl-boot, 9018)" \
        "$(py 'd["command_key"], d["fault_code"]')" "('dl-boot', 9018)"
fi
assert "Reboot: certkeeperd started again in the same process (log)" grep -q "certkeeperd: restarting" daemon.log
assert "Reboot: the daemon is running" daemon_alive
wait_port "$crport"
out=$("$ck" status --state-dir state --json 2>&1)
check "after the Reboot the ACS's profile runs on (Valid, same certificate)" \
    "$(profile_rows name state serial)" \
    "[('tls', 'Valid', '${serial2:-?}')]"
wait_idle
ctl script '[{"method":"FactoryReset"}]'
cr_spaced
check "connection request for the FactoryReset: 200" "$cr_status" 200
if expect_msg "the Inform after the FactoryReset" '{"method":"Inform","event":"0 BOOTSTRAP","timeout":30}'; then
    ok "after the FactoryReset: 0 BOOTSTRAP"
fi
assert "FactoryReset: the daemon is running" daemon_alive
out=$("$ck" status --state-dir state --json 2>&1)
check "FactoryReset: the profiles the ACS pushed are gone" "$(py 'len(d["profiles"])')" 0
check "FactoryReset: no key left in the key store" "$(find state/keys -type f | wc -l)" 0
wait_idle

section "SIGTERM; --once"
kill -TERM "$dpid"
for _ in $(seq 100); do daemon_alive || break; sleep 0.1; done
assert "SIGTERM: the daemon ended" bash -c "! kill -0 $dpid 2>/dev/null"
wait "$dpid"; assert "SIGTERM: exit 0" test $? -eq 0
run_once() {  # one --once run (bounded); exit code in $rc, log in once.log
    timeout 90 "$daemon" "${daemon_args[@]}" --once >once.log 2>&1
    rc=$?
}
after=$(last_seq)
run_once
check "--once with the ACS: exit 0" "$rc" 0
if expect_msg "--once BOOT" '{"method":"Inform","event":"1 BOOT","timeout":1}'; then
    check "--once: 1 BOOT, no BOOTSTRAP (same ACS URL)" "$(py 'any(e[0] == "0 BOOTSTRAP" for e in d["events"])')" False
fi
acs_log
check "the ACS saw no protocol error" "$(py 'd["errors"]')" "[]"
kill "$acs_pid"; wait "$acs_pid" 2>/dev/null
t0=$SECONDS
run_once
check "--once with the ACS down: exit 1" "$rc" 1
assert "--once gave up after 3 failed sessions ($((SECONDS - t0)) s)" test "$(grep -c 'cwmp: session failed' once.log)" -eq 3
check "the undelivered event stays queued in the state database" \
    "$(sqlite3 state/state.db "select group_concat(event_code, ',') from cwmp_events" 2>&1)" "1 BOOT"
start_acs rec2
after=0
run_once
check "--once with the ACS back: exit 0" "$rc" 0
if expect_msg "the queued BOOT" '{"method":"Inform","event":"1 BOOT","timeout":1}'; then
    ok "the queued event is delivered (1 BOOT)"
fi
check "nothing left queued" "$(sqlite3 state/state.db "select count(*) from cwmp_events" 2>&1)" 0

section "HTTPS to the ACS: --acs-ca, and a managed certificate as the TLS client certificate"
# A server certificate for 127.0.0.1 from a CA of its own; the ACS asks for a client certificate
# from certkeeper-responder's CA, and the agent presents the one the profile installed.
openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -keyout tls-ca.key -out tls-ca.pem \
    -days 2 -subj "/CN=it ACS CA" >openssl.log 2>&1
openssl req -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -keyout acs.key -out acs.csr \
    -subj "/CN=127.0.0.1" >>openssl.log 2>&1
printf 'subjectAltName = IP:127.0.0.1\n' > acs.ext
openssl x509 -req -in acs.csr -CA tls-ca.pem -CAkey tls-ca.key -CAcreateserial -days 2 -extfile acs.ext \
    -out acs.pem >>openssl.log 2>&1
assert "a server certificate for the ACS" test -s acs.pem
cat ca/ca.pem ca/chain.pem > client-cas.pem  # certkeeper-responder's issuing CA and root
aport=$(free_port)
acs_url="https://127.0.0.1:$aport/acs"
python3 "$acs_py" --port "$aport" --record rec3 --auth digest --username acs --password acs-s3cret \
    --tls-cert acs.pem --tls-key acs.key --tls-client-ca client-cas.pem >>acs.log 2>&1 &
acs_pid=$!
pids+=("$acs_pid")
wait_port "$aport" || { cat acs.log; exit 1; }
tls_args=(--profiles profiles --device-config device.conf --acs "$acs_url" --acs-username acs
          --acs-password-file acs.pw --connection-request-address 127.0.0.1 --connection-request-port 0)
# tls_refused NAME STATE_DIR [OPTIONS]: the daemon's first session fails on TLS and the ACS
# records nothing from it.
tls_refused() {
    local name=$1 dir=$2; shift 2
    "$daemon" "${tls_args[@]}" --state-dir "$dir" --foreground "$@" >"$dir.log" 2>&1 &
    local pid=$!
    for _ in $(seq 100); do grep -q "cwmp: session failed" "$dir.log" && break; sleep 0.1; done
    kill "$pid" 2>/dev/null; wait "$pid" 2>/dev/null
    assert "$name: the session failed" grep -q "cwmp: session failed" "$dir.log"
    assert "$name: the ACS received no envelope" bash -c '! ls rec3/*.xml >/dev/null 2>&1'
}
tls_refused "HTTPS without --acs-ca (the system store does not know the ACS's CA)" state-tls-noca \
    --acs-client-cert stores/tls/cert.pem --acs-client-key stores/tls/key.pem
tls_refused "HTTPS without a client certificate" state-tls-nocert --acs-ca tls-ca.pem
timeout 90 "$daemon" "${tls_args[@]}" --state-dir state-tls --once --acs-ca tls-ca.pem \
    --acs-client-cert stores/tls/cert.pem --acs-client-key stores/tls/key.pem >once-tls.log 2>&1
rc=$?
check "--once over HTTPS with --acs-ca and the managed client certificate: exit 0" "$rc" 0
[ "$rc" = 0 ] || tail -n 20 once-tls.log
ctl_base="https://127.0.0.1:$aport/control"
out=$(curl -s -m 10 --cacert tls-ca.pem --cert stores/tls/cert.pem --key stores/tls/key.pem "$ctl_base/log")
check "over HTTPS the ACS got 0 BOOTSTRAP" "$(py '[e["events"] for e in d["log"] if e["method"] == "Inform"]')" \
    "[[['0 BOOTSTRAP', '']]]"
kill "$acs_pid"; wait "$acs_pid" 2>/dev/null

section "every envelope the agent sent against the CWMP schemas"
if [ ! -x "$validator" ]; then
    echo "skipped: ../shared not present ($validator)"
else
    n=$(ls rec/*.xml rec2/*.xml rec3/*.xml 2>/dev/null | wc -l)
    assert "envelopes recorded ($n)" test "$n" -gt 20
    expect "cwmp-validate: all $n valid" 0 "$validator" rec/*.xml rec2/*.xml rec3/*.xml
    assert "they include Inform, TransferComplete, Fault, GetParameterValuesResponse, SetParameterValuesResponse" \
        bash -c 'for m in Inform TransferComplete Fault GetParameterValuesResponse SetParameterValuesResponse SetParameterAttributesResponse DownloadResponse; do ls rec/*-$m.xml >/dev/null 2>&1 || exit 1; done'
fi
echo "runtime: $((SECONDS - started)) s"
finish cwmp_test
