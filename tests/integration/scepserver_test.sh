#!/usr/bin/env bash
# certkeeper's SCEP client against micromdm's scepserver (Debian package `scep`) on 127.0.0.1:
# enrolment by POST and by GET, renewal (RenewalReq), a refused challenge, a wrong pin, and a
# three-level PKI (root -> intermediate -> issuing CA given to scepserver) reached through the
# issuing CA's caIssuers URL and through --ca-chain.
# usage: scepserver_test.sh CERTKEEPER_BINARY
. "$(dirname "$0")/lib.sh"
ck=${1:?usage: scepserver_test.sh CERTKEEPER_BINARY}
if ! command -v scepserver >/dev/null; then
    echo "scepserver_test: SKIPPED, scepserver is not installed (apt-get install scep)"
    exit 77
fi
cd "$work"

# --- a scepserver with its own CA (2.1.0: CA cert without digitalSignature, DER GetCACert) ---
scepserver ca -init -depot depot -keySize 2048 >/dev/null 2>&1
port=$(free_port)
scepserver -depot depot -port "$port" -challenge s3cret -allowrenew 0 >server.log 2>&1 &
pids+=($!)
wait_port "$port" || exit 1
url="http://127.0.0.1:$port/scep"
fp=$(fingerprint depot/ca.pem)

expect "getcaps lists SCEPStandard" 0 "$ck" scep getcaps --url "$url"
grep -q SCEPStandard <<<"$out" || not_ok "getcaps output" "$out"
expect "getca verified by fingerprint" 0 "$ck" scep getca --url "$url" --fingerprint "$fp" --chain-out ca.pem
assert "getca wrote the CA" cmp <(openssl x509 -in ca.pem -outform DER) <(openssl x509 -in depot/ca.pem -outform DER)

expect "enroll by POST" 0 "$ck" scep enroll --url "$url" --fingerprint "$fp" --new-key rsa:2048 \
    --key-out post.key --subject "CN=device-post,O=certkeeper" --san dns:post.example.net \
    --challenge s3cret --cert-out post.pem --post --verbose
grep -q "PKCSReq .* (POST) -> SUCCESS" <<<"$out" || not_ok "enroll went by POST" "$out"
assert "POST cert chains to the CA" openssl verify -CAfile depot/ca.pem post.pem
assert "POST cert carries our key" same_key post.pem post.key
assert "key file is 0600" test "$(stat -c %a post.key)" = 600

expect "enroll by GET" 0 "$ck" scep enroll --url "$url" --fingerprint "$fp" --new-key rsa:2048 \
    --key-out get.key --subject "CN=device-get,O=certkeeper" --challenge s3cret --cert-out get.pem \
    --get --verbose
grep -q "PKCSReq .* (GET) -> SUCCESS" <<<"$out" || not_ok "enroll went by GET" "$out"
assert "GET cert chains to the CA" openssl verify -CAfile depot/ca.pem get.pem
assert "GET cert carries our key" same_key get.pem get.key

printf 's3cret\n' > challenge.txt
expect "renew with a new key (RenewalReq)" 0 "$ck" scep renew --url "$url" --fingerprint "$fp" \
    --cert post.pem --cert-key post.key --new-key rsa:2048 --key-out renewed.key \
    --challenge-file challenge.txt --cert-out renewed.pem --verbose
grep -q "RenewalReq .* -> SUCCESS" <<<"$out" || not_ok "renewal used RenewalReq" "$out"
assert "renewed cert chains to the CA" openssl verify -CAfile depot/ca.pem renewed.pem
assert "renewed cert carries the new key" same_key renewed.pem renewed.key
assert "renewed cert keeps the subject" test "$(openssl x509 -in renewed.pem -noout -subject)" = \
    "$(openssl x509 -in post.pem -noout -subject)"
assert "challenge never printed" bash -c "! grep -q s3cret <<<\"\$0\"" "$out"

expect "wrong challenge is rejected (exit 3)" 3 "$ck" scep enroll --url "$url" --fingerprint "$fp" \
    --new-key rsa:2048 --key-out bad.key --subject "CN=device-bad" --challenge nope --cert-out bad.pem
assert "nothing written for a rejected request" test ! -e bad.pem
expect "wrong pin refused (exit 1)" 1 "$ck" scep enroll --url "$url" \
    --fingerprint "sha256:$(printf '00:%.0s' $(seq 31))00" --key get.key --subject "CN=x" \
    --challenge s3cret --cert-out pin.pem
assert "nothing written for a wrong pin" test ! -e pin.pem

# --- three levels: root -> intermediate -> issuing CA (the one scepserver holds) ---
aia_port=$(free_port)
mkdir -p pki3 aia
export OPENSSL_CONF=/dev/null
openssl req -x509 -newkey rsa:2048 -nodes -keyout pki3/root.key -out pki3/root.pem -days 3650 \
    -subj "/O=certkeeper/CN=IT Root" -addext "basicConstraints=critical,CA:TRUE" \
    -addext "keyUsage=critical,keyCertSign,cRLSign" 2>/dev/null
mkca() {  # NAME CN ISSUER EXTRA_EXT
    openssl req -new -newkey rsa:2048 -nodes -keyout "pki3/$1.key" -out "pki3/$1.csr" -subj "/O=certkeeper/CN=$2" 2>/dev/null
    printf 'basicConstraints=critical,CA:TRUE\nkeyUsage=critical,keyCertSign,cRLSign,digitalSignature,keyEncipherment\nsubjectKeyIdentifier=hash\nauthorityKeyIdentifier=keyid\n%s\n' "$4" > "pki3/$1.ext"
    openssl x509 -req -in "pki3/$1.csr" -CA "pki3/$3.pem" -CAkey "pki3/$3.key" -CAcreateserial \
        -days 3000 -extfile "pki3/$1.ext" -out "pki3/$1.pem" 2>/dev/null
}
mkca int "IT Intermediate" root "authorityInfoAccess=caIssuers;URI:http://127.0.0.1:$aia_port/root.der"
mkca issuing "IT Issuing CA" int "authorityInfoAccess=caIssuers;URI:http://127.0.0.1:$aia_port/int.der"
openssl x509 -in pki3/int.pem -outform DER -out aia/int.der
openssl x509 -in pki3/root.pem -outform DER -out aia/root.der
(cd aia && exec python3 -m http.server "$aia_port" --bind 127.0.0.1 >/dev/null 2>&1) &
pids+=($!)
mkdir depot3
cp pki3/issuing.pem depot3/ca.pem
# scepserver reads only an encrypted traditional RSA key (DEK-Info header).
openssl rsa -in pki3/issuing.key -traditional -des3 -passout pass:capass -out depot3/ca.key 2>/dev/null
printf '01\n' > depot3/serial
: > depot3/index.txt
port3=$(free_port)
scepserver -depot depot3 -capass capass -port "$port3" -challenge s3cret >server3.log 2>&1 &
pids+=($!)
wait_port "$port3" && wait_port "$aia_port" || { cat server3.log; exit 1; }
url3="http://127.0.0.1:$port3/scep"
root_fp=$(fingerprint pki3/root.pem)

expect "3-level: root pinned, intermediate via caIssuers" 0 "$ck" scep enroll --url "$url3" \
    --fingerprint "$root_fp" --new-key rsa:2048 --key-out l3.key --subject "CN=device-l3" \
    --challenge s3cret --cert-out l3.pem --chain-out l3-chain.pem --verbose
grep -q "caIssuers http://127.0.0.1:$aia_port/root.der: 1 certificate" <<<"$out" || not_ok "caIssuers fetched" "$out"
assert "3-level cert chains to the root" openssl verify -CAfile pki3/root.pem \
    -untrusted l3-chain.pem l3.pem
assert "3-level chain-out holds issuing, intermediate and root" \
    test "$(grep -c 'BEGIN CERTIFICATE' l3-chain.pem)" = 3
expect "3-level: root as --ca-cert, intermediate as --ca-chain" 0 "$ck" scep enroll --url "$url3" \
    --ca-cert pki3/root.pem --ca-chain pki3/int.pem --new-key rsa:3072 --key-out l3b.key \
    --subject "CN=device-l3b" --challenge s3cret --cert-out l3b.pem
assert "RSA-3072 device key certified" same_key l3b.pem l3b.key
expect "3-level: a pin on an unrelated root is refused" 1 "$ck" scep getca --url "$url3" \
    --fingerprint "$fp"

finish scepserver
