#!/usr/bin/env bash
# End-to-end tests of the certkeeper CLI against the test PKI.
# usage: cli_test.sh CERTKEEPER_BINARY PKI_DIR
set -uo pipefail
ck=$1
pki=$2
at=2026-01-01T00:00:00Z
passed=0
failed=0

check() {  # NAME WANT_EXIT WANT_REGEX CMD...
    local name=$1 want=$2 regex=$3; shift 3
    local out
    out=$("$@" 2>&1)
    local got=$?
    if [ "$got" -eq "$want" ] && grep -qE -- "$regex" <<<"$out"; then
        passed=$((passed + 1))
    else
        failed=$((failed + 1))
        printf 'FAIL %s: exit %s (want %s), output:\n%s\n' "$name" "$got" "$want" "$out"
    fi
}

root_fp=$(openssl x509 -in "$pki/root.pem" -noout -fingerprint -sha256 | cut -d= -f2)
leaf_serial=$(openssl x509 -in "$pki/leaf.pem" -noout -serial | cut -d= -f2)

check "help lists verbs" 0 'chain verify' "$ck" --help
check "no args is a usage error" 2 'usage: certkeeper' "$ck"
check "unknown command" 2 "unknown command 'bogus'" "$ck" bogus
check "verb help" 0 '--fingerprint' "$ck" chain verify --help
check "cert show help" 0 'usage: certkeeper cert show' "$ck" cert show --help
check "unknown option" 2 'unknown option --frobnicate' "$ck" cert show --frobnicate "$pki/leaf.pem"

check "show subject" 0 'Subject: +CN=device-001,O=certkeeper tests' "$ck" cert show "$pki/leaf.pem"
check "show serial" 0 "Serial: +$leaf_serial" "$ck" cert show "$pki/leaf.pem"
check "show SANs" 0 'SANs: +DNS:device-001.example.net, IP:192.0.2.10' "$ck" cert show "$pki/leaf.pem"
check "show validity" 0 'Not after: +2027-01-01T00:00:00Z' "$ck" cert show "$pki/leaf.pem"
check "show key" 0 'Public key: +RSA 2048' "$ck" cert show "$pki/leaf.pem"
check "show EC key" 0 'Public key: +EC P-256' "$ck" cert show "$pki/ec-leaf.pem"
check "show fingerprint matches openssl" 0 "SHA-256: +sha256:$root_fp" "$ck" cert show "$pki/root.pem"
check "show DER" 0 'Subject: +CN=device-001' "$ck" cert show "$pki/leaf.der"
check "show bundle" 0 'Certificate 2 of 2' "$ck" cert show "$pki/fullchain.pem"
check "show json" 0 '^\[\{"subject":"CN=device-001,O=certkeeper tests".*"is_ca":false' \
    "$ck" cert show --json "$pki/leaf.pem"
check "show missing file" 2 'cannot open' "$ck" cert show "$pki/nope.pem"
check "show a CRL is an error" 2 'no CERTIFICATE block' "$ck" cert show "$pki/int.crl.pem"
printf 'garbage' > "${TMPDIR:-/tmp}/ck-garbage.$$"
check "show garbage" 2 'parse error' "$ck" cert show "${TMPDIR:-/tmp}/ck-garbage.$$"
rm -f "${TMPDIR:-/tmp}/ck-garbage.$$"

v=("$ck" chain verify --anchor "$pki/root.pem" --untrusted "$pki/chain.pem" --at "$at")
check "verify valid" 0 '^valid at 2026-01-01T00:00:00Z: CN=device-001' "${v[@]}" "$pki/leaf.pem"
check "verify pinned" 0 '^valid' "${v[@]}" --fingerprint "sha256:$root_fp" "$pki/leaf.pem"
check "verify pinned lower-case no colons" 0 '^valid' "${v[@]}" \
    --fingerprint "$(tr -d : <<<"$root_fp" | tr A-F a-f)" "$pki/leaf.pem"
check "verify wrong pin" 1 '^invalid: .*fingerprint' "${v[@]}" \
    --fingerprint "sha256:$(openssl x509 -in "$pki/other-root.pem" -noout -fingerprint -sha256 | cut -d= -f2)" \
    "$pki/leaf.pem"
check "verify sha1 pin refused" 2 'SHA-2' "${v[@]}" \
    --fingerprint "sha1:$(openssl x509 -in "$pki/root.pem" -noout -fingerprint -sha1 | cut -d= -f2)" \
    "$pki/leaf.pem"
check "verify bad pin text" 2 'fingerprint' "${v[@]}" --fingerprint "sha256:zz" "$pki/leaf.pem"
check "verify fullchain leaf file" 0 '^valid' "$ck" chain verify --anchor "$pki/root.pem" \
    --at "$at" "$pki/fullchain.pem"
check "verify missing intermediate" 1 '^invalid: ' "$ck" chain verify --anchor "$pki/root.pem" \
    --at "$at" "$pki/leaf.pem"
check "verify wrong anchor" 1 '^invalid: ' "$ck" chain verify --anchor "$pki/other-root.pem" \
    --untrusted "$pki/chain.pem" --at "$at" "$pki/leaf.pem"
check "verify expired" 1 '^invalid: .*expired' "${v[@]}" "$pki/expired.pem"
check "verify before validity" 1 '^invalid: .*not yet valid' "$ck" chain verify \
    --anchor "$pki/root.pem" --untrusted "$pki/chain.pem" --at 2024-06-01T00:00:00Z "$pki/leaf.pem"
check "verify revoked" 1 '^invalid: .*revoked' "${v[@]}" --crl "$pki/int.crl.pem" \
    --crl "$pki/root.crl.pem" "$pki/revoked.pem"
check "verify not revoked" 0 '^valid' "${v[@]}" --crl "$pki/int.crl.der" \
    --crl "$pki/root.crl.pem" "$pki/leaf.pem"
check "verify name ok" 0 '^valid' "${v[@]}" --name dns:device-001.example.net "$pki/leaf.pem"
check "verify ip ok" 0 '^valid' "${v[@]}" --name ip:192.0.2.10 "$pki/leaf.pem"
check "verify name mismatch" 1 '^invalid: ' "${v[@]}" --name dns:other.example.net "$pki/leaf.pem"
check "verify eku ok" 0 '^valid' "${v[@]}" --eku clientAuth "$pki/leaf.pem"
check "verify eku missing" 1 '^invalid: ' "${v[@]}" --eku codeSigning "$pki/leaf.pem"
check "verify bad time" 2 "time 'yesterday'" "$ck" chain verify --anchor "$pki/root.pem" \
    --at yesterday "$pki/leaf.pem"
check "verify no anchor" 2 '--anchor' "$ck" chain verify "$pki/leaf.pem"

# certkeeper profile check / show (docs/profile-format.md).
tmp=$(mktemp -d "${TMPDIR:-/tmp}/ck-profile.XXXXXX")
cat > "$tmp/good.conf" <<'PROFILE'
[profile "8021x"]
url            = http://127.0.0.1:8080/scep
ca_fingerprint = sha256:5A:F1:7B:00:11:22:33:44:55:66:77:88:99:AA:BB:CC:DD:EE:FF:00:11:22:33:44:55:66:77:88:99:AA:BB:CC
subject        = CN=${MAC},O=Example
challenge      = "s3cr;t-otp"
store          = pem:/etc/certs/8021x/ mode=0600
PROFILE
cat > "$tmp/bad.conf" <<'PROFILE'
[profile "bad"]
url              = ftp://example.net/
ca_fingerprint   = sha256:AB:CD
renew_at_percent = 120
colour           = blue
PROFILE
check "profile check valid" 0 'ok|valid' "$ck" profile check "$tmp/good.conf"
check "profile check bad url with its line" 1 'bad.conf:2: url' "$ck" profile check "$tmp/bad.conf"
check "profile check short fingerprint" 1 'bad.conf:3: ca_fingerprint' "$ck" profile check "$tmp/bad.conf"
check "profile check percent out of range" 1 'bad.conf:4: renew_at_percent' \
    "$ck" profile check "$tmp/bad.conf"
check "profile check counts all problems" 1 '5 problem' "$ck" profile check "$tmp/bad.conf"
check "profile check unknown key" 1 'bad.conf:5: colour' "$ck" profile check "$tmp/bad.conf"
check "profile check missing subject" 1 'subject' "$ck" profile check "$tmp/bad.conf"
check "profile check unreadable" 2 'nope.conf' "$ck" profile check "$tmp/nope.conf"
check "profile show json" 0 '"name":"8021x"' "$ck" profile show --json "$tmp/good.conf"
out=$("$ck" profile show --json "$tmp/good.conf" 2>&1; "$ck" profile show "$tmp/good.conf" 2>&1)
if grep -q 's3cr' <<<"$out"; then
    failed=$((failed + 1)); echo "FAIL profile show printed the challenge"
else
    passed=$((passed + 1))
fi
rm -rf "$tmp"

echo "cli: $passed passed, $failed failed"
[ "$failed" -eq 0 ]
