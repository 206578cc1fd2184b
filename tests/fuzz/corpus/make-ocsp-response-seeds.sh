#!/usr/bin/env bash
# Makes the committed seed corpus of fuzz_ocsp_response (tests/fuzz/corpus/ocsp_response/):
# inputs of the mutation mode (layout in fuzz_ocsp_response.cpp: each base response, with and
# without the nonce, one patch or a truncation), OCSPResponses with a non-successful status, and
# for the raw mode OpenSSL command-line responses (signed by another CA than the target's, whose
# keys are made at start-up: they exercise the parser and the signer checks).
# usage: make-ocsp-response-seeds.sh [OUTPUT_DIR]
set -euo pipefail
out=${1:-"$(dirname "$0")/ocsp_response"}
export OPENSSL_CONF=/dev/null
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
mkdir -p "$out"

# [0xff][base][flags][offset_hi offset_lo xor]...
for base in 0 1 2 3 4 5; do
    printf "\xff\x0${base}\x01" >"$out/mutate-$base-nonce.bin"
    printf "\xff\x0${base}\x00\x00\x40\x01" >"$out/mutate-$base-patch.bin"
done
printf "\xff\x00\x03" >"$out/mutate-0-require-nonce.bin"
printf "\xff\x01\x09\x00\x80\x00" >"$out/mutate-1-truncate.bin"
for status in 1 2 3 5 6; do
    printf "\x30\x03\x0a\x01\x0${status}" >"$out/status-$status.der"
done

openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -keyout "$tmp/ca.key" \
    -subj "/CN=Seed OCSP CA" -days 36500 -sha256 -set_serial 1 -out "$tmp/ca.pem" 2>/dev/null
openssl req -new -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -keyout "$tmp/signer.key" \
    -subj "/CN=Seed OCSP signer" -out "$tmp/signer.csr" 2>/dev/null
printf "extendedKeyUsage=OCSPSigning\nnoCheck=ignored\n" >"$tmp/signer.ext"
openssl x509 -req -in "$tmp/signer.csr" -CA "$tmp/ca.pem" -CAkey "$tmp/ca.key" -set_serial 2 \
    -days 36500 -extfile "$tmp/signer.ext" -out "$tmp/signer.pem" 2>/dev/null
printf 'V\t491231235959Z\t\t1234\tunknown\t/CN=good\n' >"$tmp/index.txt"
printf 'R\t491231235959Z\t250101000000Z,keyCompromise\t55\tunknown\t/CN=revoked\n' >>"$tmp/index.txt"

respond() {  # name signer key request-args...
    local name=$1 signer=$2 key=$3
    shift 3
    openssl ocsp -issuer "$tmp/ca.pem" "$@" -reqout "$tmp/$name.req" >/dev/null
    openssl ocsp -index "$tmp/index.txt" -CA "$tmp/ca.pem" -rsigner "$signer" -rkey "$key" \
        -reqin "$tmp/$name.req" -respout "$out/$name.der" -ndays 36500 >/dev/null
}
respond raw-ca-good "$tmp/ca.pem" "$tmp/ca.key" -serial 0x1234
respond raw-ca-revoked-nonce "$tmp/ca.pem" "$tmp/ca.key" -serial 0x55 -nonce
respond raw-delegated-sha256 "$tmp/signer.pem" "$tmp/signer.key" -sha256 -serial 0x1234 -no_nonce
respond raw-delegated-three "$tmp/signer.pem" "$tmp/signer.key" -serial 0x1234 -serial 0x55 -serial 7
