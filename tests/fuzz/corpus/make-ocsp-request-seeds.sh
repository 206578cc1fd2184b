#!/usr/bin/env bash
# Makes the committed seed corpus of fuzz_ocsp_request (tests/fuzz/corpus/ocsp_request/): OCSP
# requests whose CertIDs name the fuzz target's CA (its fixed key is read from
# fuzz_ocsp_request.cpp), with and without a nonce, SHA-1 and SHA-256 CertIDs, several CertIDs.
# usage: make-ocsp-request-seeds.sh [OUTPUT_DIR]
set -euo pipefail
here=$(dirname "$0")
out=${1:-"$here/ocsp_request"}
export OPENSSL_CONF=/dev/null
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
mkdir -p "$out"

sed -n '/-----BEGIN PRIVATE KEY-----/,/-----END PRIVATE KEY-----/p' "$here/../fuzz_ocsp_request.cpp" \
    | sed 's/^.*\(-----BEGIN\)/\1/' >"$tmp/ca.key"
openssl req -x509 -new -key "$tmp/ca.key" -subj "/CN=Fuzz OCSP CA" -days 36500 -sha256 \
    -set_serial 1 -out "$tmp/ca.pem"

openssl ocsp -issuer "$tmp/ca.pem" -serial 0x1234 -reqout "$out/one-sha1-nonce.der"
openssl ocsp -issuer "$tmp/ca.pem" -sha256 -serial 0x0ABCDE -no_nonce -reqout "$out/one-sha256.der"
openssl ocsp -issuer "$tmp/ca.pem" -serial 0x1234 -serial 0x55 -serial 1 -reqout "$out/three.der"
