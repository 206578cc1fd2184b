#!/usr/bin/env bash
# Makes the test PKI with the OpenSSL CLI, with fixed validity dates so that tests can validate
# at a fixed time (2026-01-01T00:00:00Z is inside every "valid" certificate's window).
#
#   root (RSA 2048, 2024-01-01..2044-01-01)
#   └── int (RSA 2048, 2024-01-01..2034-01-01, pathlen 0)
#       ├── leaf     CN=device-001, DNS:device-001.example.net, IP:192.0.2.10,
#       │            digitalSignature+keyEncipherment, clientAuth+serverAuth, 2025-01-01..2027-01-01
#       ├── expired  CN=expired-device, 2020-01-01..2021-01-01
#       ├── revoked  CN=revoked-device (listed in int.crl.pem, reason keyCompromise)
#       └── ec-leaf  CN=ec-device, EC P-256
#   other-root (an unrelated self-signed root)
#
# Files: NAME.pem, NAME.key (PKCS#8, unencrypted), NAME.der for each certificate; chain.pem (int),
# fullchain.pem (leaf + int), int.crl.pem / int.crl.der (thisUpdate 2025-06-01, nextUpdate
# 2030-01-01), root.crl.pem (empty CRL of the root).
#
# usage: make-test-pki.sh OUTPUT_DIR
set -euo pipefail
out=${1:?usage: make-test-pki.sh OUTPUT_DIR}
mkdir -p "$out"
cd "$out"
rm -rf ca-root ca-int
export OPENSSL_CONF=/dev/null
export SAN=DNS:unused  # the config references it; only leaf certificates use it

make_ca_dir() {  # NAME
    mkdir -p "$1/new"
    : > "$1/index.txt"
    echo 1000 > "$1/serial"
    echo 01 > "$1/crlnumber"
    cat > "$1/ca.cnf" <<CNF
[ca]
default_ca = this
[this]
dir = $out/$1
database = \$dir/index.txt
new_certs_dir = \$dir/new
serial = \$dir/serial
crlnumber = \$dir/crlnumber
default_md = sha256
policy = anything
unique_subject = no
preserve = yes
copy_extensions = none
default_crl_days = 30
[anything]
commonName = supplied
organizationName = optional
[v3_int]
basicConstraints = critical,CA:TRUE,pathlen:0
keyUsage = critical,keyCertSign,cRLSign
subjectKeyIdentifier = hash
authorityKeyIdentifier = keyid
[v3_leaf]
basicConstraints = critical,CA:FALSE
keyUsage = critical,digitalSignature,keyEncipherment
extendedKeyUsage = clientAuth,serverAuth
subjectKeyIdentifier = hash
authorityKeyIdentifier = keyid
subjectAltName = \$ENV::SAN
[crl_ext]
authorityKeyIdentifier = keyid
CNF
}

key() {  # NAME ALG
    if [ "$2" = ec ]; then
        openssl genpkey -algorithm EC -pkeyopt ec_paramgen_curve:P-256 -out "$1.key" 2>/dev/null
    else
        openssl genpkey -algorithm RSA -pkeyopt rsa_keygen_bits:2048 -out "$1.key" 2>/dev/null
    fi
    chmod 600 "$1.key"
}

self_signed() {  # NAME CN
    key "$1" rsa
    openssl req -new -key "$1.key" -subj "/O=certkeeper tests/CN=$2" -out "$1.csr"
    make_ca_dir "ca-$1"
    cat >> "ca-$1/ca.cnf" <<CNF
[v3_root]
basicConstraints = critical,CA:TRUE
keyUsage = critical,keyCertSign,cRLSign
subjectKeyIdentifier = hash
CNF
    openssl ca -batch -preserveDN -config "ca-$1/ca.cnf" -selfsign -keyfile "$1.key" -in "$1.csr" \
        -extensions v3_root -startdate 20240101000000Z -enddate 20440101000000Z \
        -out "$1.pem" -notext
}

issue() {  # CA NAME CN EXT START END SAN ALG
    key "$2" "${8:-rsa}"
    openssl req -new -key "$2.key" -subj "/O=certkeeper tests/CN=$3" -out "$2.csr"
    SAN="$7" openssl ca -batch -preserveDN -config "ca-$1/ca.cnf" -cert "$1.pem" -keyfile "$1.key" \
        -in "$2.csr" -extensions "$4" -startdate "$5" -enddate "$6" -out "$2.pem" -notext
}

self_signed root "certkeeper Test Root"
self_signed other-root "certkeeper Other Root"
# The intermediate is issued by the root's CA dir.
issue root int "certkeeper Test Issuing CA" v3_int 20240101000000Z 20340101000000Z "DNS:unused" rsa
make_ca_dir ca-int
issue int leaf device-001 v3_leaf 20250101000000Z 20270101000000Z \
    "DNS:device-001.example.net,IP:192.0.2.10" rsa
issue int expired expired-device v3_leaf 20200101000000Z 20210101000000Z "DNS:expired.example.net" rsa
issue int revoked revoked-device v3_leaf 20250101000000Z 20270101000000Z "DNS:revoked.example.net" rsa
issue int ec-leaf ec-device v3_leaf 20250101000000Z 20270101000000Z "DNS:ec-device.example.net" ec

openssl ca -batch -config ca-int/ca.cnf -cert int.pem -keyfile int.key -revoke revoked.pem \
    -crl_reason keyCompromise
# Fix the revocation date (openssl ca records "now") so the CRL is the same on every run.
sed -i -E 's/^(R\t[0-9]+Z\t)[0-9]+Z/\1250301000000Z/' ca-int/index.txt
openssl ca -batch -config ca-int/ca.cnf -cert int.pem -keyfile int.key -gencrl \
    -crlexts crl_ext -crl_lastupdate 20250601000000Z -crl_nextupdate 20300101000000Z \
    -out int.crl.pem
openssl ca -batch -config ca-root/ca.cnf -cert root.pem -keyfile root.key -gencrl \
    -crlexts crl_ext -crl_lastupdate 20250601000000Z -crl_nextupdate 20300101000000Z \
    -out root.crl.pem
openssl crl -in int.crl.pem -outform DER -out int.crl.der

for c in root other-root int leaf expired revoked ec-leaf; do
    openssl x509 -in "$c.pem" -outform DER -out "$c.der"
done
cp int.pem chain.pem
cat leaf.pem int.pem > fullchain.pem
rm -f ./*.csr
echo "test PKI written to $out"
