#!/usr/bin/env bash
# Makes the committed seed corpus of fuzz_cert_rep (tests/fuzz/corpus/cert_rep/): three inputs of
# the structured mode (SUCCESS, PENDING, FAILURE with failInfoText; layout in fuzz_cert_rep.cpp)
# and, for the raw mode, a CMS SignedData made by the OpenSSL command line.
# usage: make-cert-rep-seeds.sh [OUTPUT_DIR]
set -euo pipefail
out=${1:-"$(dirname "$0")/cert_rep"}
export OPENSSL_CONF=/dev/null
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
mkdir -p "$out"

nonce='\x10\x01\x02\x03\x04\x05\x06\x07\x08\x09\x0a\x0b\x0c\x0d\x0e\x0f\x10'
# mode 1, messageType "3", pkiStatus, transactionID ours, senderNonce, recipientNonce ours,
# failInfo, failInfoText, content kind.
printf "\x01\x013\x010\x00${nonce}\x00\x00\x00\x01\x01" >"$out/success.bin"
printf "\x01\x013\x013\x00${nonce}\x00\x00\x00\x01\x00" >"$out/pending.bin"
printf "\x01\x013\x012\x00${nonce}\x00\x0226\x0bbad request\x01\x00" >"$out/failure.bin"

openssl req -x509 -newkey rsa:2048 -nodes -keyout "$tmp/key.pem" -subj "/CN=Seed CA" -days 1 \
    -out "$tmp/cert.pem" 2>/dev/null
printf 'seed content' >"$tmp/content"
openssl cms -sign -binary -nodetach -in "$tmp/content" -signer "$tmp/cert.pem" \
    -inkey "$tmp/key.pem" -outform DER -out "$tmp/signed.der"
{ printf '\x00'; cat "$tmp/signed.der"; } >"$out/raw-signed-data.bin"
