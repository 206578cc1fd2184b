#!/usr/bin/env bash
# Makes the committed seed corpus of fuzz_crl (tests/fuzz/corpus/crl/): CRLs signed with the
# fuzz target's fixed CA key (read from fuzz_crl.cpp) by `openssl ca -gencrl`: empty, a few
# entries with and without reasons, an issuingDistributionPoint, a delta CRL, and one in PEM.
# usage: make-crl-seeds.sh [OUTPUT_DIR]
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
out=${1:-"$here/crl"}
export OPENSSL_CONF=/dev/null
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
mkdir -p "$out"
out=$(cd "$out" && pwd)
cd "$tmp"

sed -n '/-----BEGIN PRIVATE KEY-----/,/-----END PRIVATE KEY-----/p' "$here/../fuzz_crl.cpp" \
    | sed 's/^.*\(-----BEGIN\)/\1/' >ca.key
openssl req -x509 -new -key ca.key -subj "/CN=Fuzz CRL CA" -days 36500 -sha256 -set_serial 1 \
    -addext "subjectKeyIdentifier=hash" \
    -out ca.pem
cat >ca.cnf <<'CNF'
[ ca ]
default_ca = fuzz
[ fuzz ]
database = index.txt
certificate = ca.pem
private_key = ca.key
crlnumber = crlnumber
default_md = sha256
default_crl_days = 3650
unique_subject = no
[ plain ]
authorityKeyIdentifier = keyid:always
[ idp ]
authorityKeyIdentifier = keyid:always
issuingDistributionPoint = critical, @idp_section
[ idp_section ]
fullname = URI:http://crl.example/fuzz.crl
onlysomereasons = keyCompromise, CACompromise
onlyuser = TRUE
[ delta ]
authorityKeyIdentifier = keyid:always
2.5.29.27 = critical, DER:02:01:05
CNF
gen() {  # NAME EXTENSION_SECTION
    echo 0A >crlnumber
    openssl ca -config ca.cnf -gencrl -crlexts "$2" -out "$1.pem" 2>"$tmp/ca.log" || { cat "$tmp/ca.log" >&2; exit 1; }
    openssl crl -in "$1.pem" -outform DER -out "$out/$1.der"
}
: >index.txt
gen empty plain
printf 'R\t360101000000Z\t250601000000Z\t1234\tunknown\t/CN=a\n' >index.txt
printf 'R\t360101000000Z\t250602000000Z,keyCompromise\t00FF01\tunknown\t/CN=b\n' >>index.txt
printf 'R\t360101000000Z\t250603000000Z,removeFromCRL\t7ABCDEF0123456789ABCDEF012345678\tunknown\t/CN=c\n' >>index.txt
printf 'R\t360101000000Z\t250604000000Z,certificateHold,holdInstructionReject\t05\tunknown\t/CN=d\n' >>index.txt
gen three plain
gen idp idp
gen delta delta
cp three.pem "$out/three.pem"
