#!/usr/bin/env bash
# Makes the committed seed corpus of fuzz_ca_cert_response (tests/fuzz/corpus/ca_cert/): an EC
# root (single DER certificate), and root + RSA issuing CA as certs-only PKCS#7 and as PEM.
# Valid for 100 years from the day they were made. Re-running changes the root, so the pin in
# fuzz_ca_cert_response.cpp must then be replaced by the fingerprint printed at the end.
# usage: make-ca-cert-seeds.sh [OUTPUT_DIR]
set -euo pipefail
out=${1:-"$(dirname "$0")/ca_cert"}
export OPENSSL_CONF=/dev/null
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
mkdir -p "$out"

ca_ext=(-addext "basicConstraints=critical,CA:TRUE" -addext "keyUsage=critical,keyCertSign,cRLSign"
        -addext "subjectKeyIdentifier=hash")
openssl ecparam -name prime256v1 -genkey -noout -out "$tmp/root.key"
openssl req -x509 -new -key "$tmp/root.key" -subj "/CN=Fuzz Root" -days 36500 -sha256 \
    -set_serial 1 "${ca_ext[@]}" -out "$tmp/root.pem"

openssl genrsa -out "$tmp/issuing.key" 2048 2>/dev/null
openssl req -new -key "$tmp/issuing.key" -subj "/CN=Fuzz Issuing CA" -out "$tmp/issuing.csr"
cat >"$tmp/issuing.ext" <<'EXT'
basicConstraints=critical,CA:TRUE
keyUsage=critical,keyCertSign,cRLSign
subjectKeyIdentifier=hash
authorityKeyIdentifier=keyid:always
EXT
openssl x509 -req -in "$tmp/issuing.csr" -CA "$tmp/root.pem" -CAkey "$tmp/root.key" \
    -set_serial 2 -days 36500 -sha256 -extfile "$tmp/issuing.ext" -out "$tmp/issuing.pem"

openssl x509 -in "$tmp/root.pem" -outform DER -out "$out/root.der"
openssl crl2pkcs7 -nocrl -certfile "$tmp/root.pem" -certfile "$tmp/issuing.pem" -outform DER \
    -out "$out/chain.p7b"
cat "$tmp/issuing.pem" "$tmp/root.pem" >"$out/chain.pem"
openssl x509 -in "$tmp/root.pem" -noout -fingerprint -sha256
