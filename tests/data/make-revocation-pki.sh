#!/usr/bin/env bash
# Makes a three-level PKI for revocation tests (OCSP and CRL against real peers) with the OpenSSL
# CLI. OCSP answers and CRLs must be current, so validity is relative to now (CAs from 3 days ago
# for 90 days, other certificates from 1 day ago for 30 days; CRLs for 7 days): run it again for
# every test run. EC P-256 keys throughout.
#
#   root          CN=rev-root
#   └── intermediate  CN=rev-intermediate      CRLDP root.crl,         OCSP at OCSP_PORT+2
#       └── issuing   CN=rev-issuing           CRLDP intermediate.crl, OCSP at OCSP_PORT+1
#           ├── good          CN=rev-good      CRLDP issuing.crl,      OCSP at OCSP_PORT
#           ├── revoked       CN=rev-revoked   revoked, reason keyCompromise
#           ├── unknown       CN=rev-unknown   removed from the issuing CA's index.txt, so its
#           │                                  OCSP responder answers unknown (and no CRL lists it)
#           ├── ocsp-signer   CN=rev-ocsp-signer  extendedKeyUsage OCSPSigning, id-pkix-ocsp-nocheck
#           └── bad-signer    CN=rev-bad-signer   extendedKeyUsage clientAuth only (no OCSPSigning)
#   impostor      CN=rev-issuing (self-signed, same subject as the issuing CA, another key)
#
# Every certificate a CA issues carries that CA's pointers: crlDistributionPoints
# http://127.0.0.1:CRL_PORT/<ca>.crl and authorityInfoAccess OCSP http://127.0.0.1:<port>/, one
# OCSP port per CA: OCSP_PORT answers for the issuing CA, OCSP_PORT+1 for the intermediate,
# OCSP_PORT+2 for the root (OCSP signer and bad signer carry no pointers).
#
# Files in OUTPUT_DIR:
#   NAME.pem, NAME.key (PKCS#8, unencrypted) for root, intermediate, issuing, impostor, good,
#     revoked, unknown, ocsp-signer, bad-signer
#   chain.pem       issuing + intermediate + root
#   superiors.pem   intermediate + root (the issuing CA's superiors: `--chain` for a leaf)
#   ca-NAME/        `openssl ca` state of root, intermediate, issuing, impostor (index.txt is what
#                   `openssl ocsp -index` reads; ca.cnf)
#   crl/            the directory to serve at http://127.0.0.1:CRL_PORT/, each CRL as NAME.crl (DER)
#                   and NAME.crl.pem:
#     root, intermediate, issuing     current (thisUpdate now, nextUpdate now + 7 days); issuing
#                                     lists revoked.pem (keyCompromise)
#     issuing-expired                 the issuing CA's, thisUpdate now - 2 days, nextUpdate
#                                     now - 1 hour (lists revoked.pem)
#     issuing-wrongkey                signed by the impostor's key (same issuer name), lists nothing
#
# usage: make-revocation-pki.sh OUTPUT_DIR OCSP_PORT CRL_PORT
set -euo pipefail
usage="usage: make-revocation-pki.sh OUTPUT_DIR OCSP_PORT CRL_PORT"
out=${1:?$usage}
ocsp_port=${2:?$usage}
crl_port=${3:?$usage}
mkdir -p "$out"
out=$(cd "$out" && pwd)
cd "$out"
rm -rf ca-root ca-intermediate ca-issuing ca-impostor crl
mkdir crl
export OPENSSL_CONF=/dev/null

# quiet CMD...: no output unless CMD fails.
quiet() {
    local o
    o=$("$@" 2>&1) || { printf '%s\n' "$o" >&2; echo "failed: $*" >&2; return 1; }
}
at() { date -u -d "$1" +%Y%m%d%H%M%SZ; }  # at '-3 days'

ca_start=$(at '-3 days') ca_end=$(at '+90 days')
ee_start=$(at '-1 day') ee_end=$(at '+30 days')

make_ca_dir() {  # NAME FIRST_SERIAL OCSP_URL CRL_URL: the state and config of one CA
    mkdir -p "ca-$1/new"
    : > "ca-$1/index.txt"
    echo "$2" > "ca-$1/serial"
    echo 01 > "ca-$1/crlnumber"
    cat > "ca-$1/ca.cnf" <<CNF
[ca]
default_ca = this
[this]
dir = $out/ca-$1
database = \$dir/index.txt
new_certs_dir = \$dir/new
serial = \$dir/serial
crlnumber = \$dir/crlnumber
default_md = sha256
policy = anything
unique_subject = no
preserve = yes
copy_extensions = none
default_crl_days = 7
[anything]
commonName = supplied
[v3_root]
basicConstraints = critical,CA:TRUE
keyUsage = critical,keyCertSign,cRLSign
subjectKeyIdentifier = hash
[v3_ca]
basicConstraints = critical,CA:TRUE
keyUsage = critical,keyCertSign,cRLSign
subjectKeyIdentifier = hash
authorityKeyIdentifier = keyid
crlDistributionPoints = URI:$4
authorityInfoAccess = OCSP;URI:$3
[v3_leaf]
basicConstraints = critical,CA:FALSE
keyUsage = critical,digitalSignature
extendedKeyUsage = clientAuth,serverAuth
subjectKeyIdentifier = hash
authorityKeyIdentifier = keyid
crlDistributionPoints = URI:$4
authorityInfoAccess = OCSP;URI:$3
[v3_ocsp_signer]
basicConstraints = critical,CA:FALSE
keyUsage = critical,digitalSignature
extendedKeyUsage = OCSPSigning
noCheck = ignored
subjectKeyIdentifier = hash
authorityKeyIdentifier = keyid
[v3_bad_signer]
basicConstraints = critical,CA:FALSE
keyUsage = critical,digitalSignature
extendedKeyUsage = clientAuth
subjectKeyIdentifier = hash
authorityKeyIdentifier = keyid
[crl_ext]
authorityKeyIdentifier = keyid
CNF
}

key() {  # NAME
    quiet openssl genpkey -algorithm EC -pkeyopt ec_paramgen_curve:P-256 -out "$1.key"
    chmod 600 "$1.key"
}

csr() {  # NAME CN
    key "$1"
    quiet openssl req -new -key "$1.key" -subj "/CN=$2" -out "$1.csr"
}

self_signed() {  # NAME CN FIRST_SERIAL
    csr "$1" "$2"
    make_ca_dir "$1" "$3" "http://127.0.0.1:$((ocsp_port + 2))/" "http://127.0.0.1:$crl_port/$1.crl"
    quiet openssl ca -batch -config "ca-$1/ca.cnf" -selfsign -keyfile "$1.key" -in "$1.csr" \
        -extensions v3_root -startdate "$ca_start" -enddate "$ca_end" -out "$1.pem" -notext
}

issue() {  # CA NAME CN EXTENSIONS
    csr "$2" "$3"
    local start=$ee_start end=$ee_end
    [ "$4" = v3_ca ] && start=$ca_start end=$ca_end
    quiet openssl ca -batch -config "ca-$1/ca.cnf" -cert "$1.pem" -keyfile "$1.key" -in "$2.csr" \
        -extensions "$4" -startdate "$start" -enddate "$end" -out "$2.pem" -notext
}

gencrl() {  # CA OUTPUT_NAME [OPTIONS...]
    local ca=$1 name=$2
    shift 2
    quiet openssl ca -batch -config "ca-$ca/ca.cnf" -cert "$ca.pem" -keyfile "$ca.key" -gencrl \
        -crlexts crl_ext -out "crl/$name.crl.pem" "$@"
    quiet openssl crl -in "crl/$name.crl.pem" -outform DER -out "crl/$name.crl"
}

# Distinct serial ranges per CA, so that a serial looked up under the wrong issuer is visible.
self_signed root rev-root 1000
make_ca_dir intermediate 2000 "http://127.0.0.1:$((ocsp_port + 1))/" "http://127.0.0.1:$crl_port/intermediate.crl"
make_ca_dir issuing 3000 "http://127.0.0.1:$ocsp_port/" "http://127.0.0.1:$crl_port/issuing.crl"
issue root intermediate rev-intermediate v3_ca
issue intermediate issuing rev-issuing v3_ca
issue issuing good rev-good v3_leaf
issue issuing revoked rev-revoked v3_leaf
issue issuing unknown rev-unknown v3_leaf
issue issuing ocsp-signer rev-ocsp-signer v3_ocsp_signer
issue issuing bad-signer rev-bad-signer v3_bad_signer
self_signed impostor rev-issuing 3000

quiet openssl ca -batch -config ca-issuing/ca.cnf -cert issuing.pem -keyfile issuing.key \
    -revoke revoked.pem -crl_reason keyCompromise
unknown_serial=$(openssl x509 -in unknown.pem -noout -serial | cut -d= -f2)
grep -v -P "^V\t[0-9]+Z\t\t$unknown_serial\t" ca-issuing/index.txt > ca-issuing/index.new
mv ca-issuing/index.new ca-issuing/index.txt

gencrl root root
gencrl intermediate intermediate
gencrl issuing issuing
gencrl issuing issuing-expired -crl_lastupdate "$(at '-2 days')" -crl_nextupdate "$(at '-1 hour')"
gencrl impostor issuing-wrongkey

cat issuing.pem intermediate.pem root.pem > chain.pem
cat intermediate.pem root.pem > superiors.pem
rm -f ./*.csr
