#!/usr/bin/env bash
# Checks the dependency rules of the module map: each C library is included only by the module
# that owns it (STYLE.md habit 1). Prints every stray include and fails if there is one.
# usage: include_rules.sh SOURCE_DIR
set -uo pipefail
cd "${1:?usage: include_rules.sh SOURCE_DIR}"
strays=0
checked=0

report() { echo "stray include: $1"; strays=$((strays + 1)); }

while IFS= read -r f; do
    checked=$((checked + 1))
    dir=${f%%/*}
    grep -nE '#include *[<"]openssl/' "$f" >/dev/null && case "$f" in
        crypto/*|scep/*.cpp|ocsp-crl/*.cpp|ca/*.cpp|tests/*|bench/*) ;;
        *) report "$f includes OpenSSL (only crypto/ and the .cpp files of scep/, ocsp-crl/, ca/)" ;;
    esac
    grep -nE '#include *[<"]curl/' "$f" >/dev/null && case "$dir" in
        transport|tests|bench) ;;
        *) report "$f includes libcurl (only transport/)" ;;
    esac
    grep -nE '#include *[<"]sqlite3\.h' "$f" >/dev/null && case "$dir" in
        stores|tests|bench) ;;
        *) report "$f includes SQLite (only stores/)" ;;
    esac
    grep -nE '#include *[<"](stdsoap2\.h|soapH\.h|soapStub\.h)' "$f" >/dev/null && case "$f" in
        cwmp/soap/*) ;;
        *) report "$f includes gSOAP (only cwmp/soap/)" ;;
    esac
    if [ "$dir" = lifecycle ] && grep -nE '#include *[<"](boost/asio|boost/beast)' "$f" >/dev/null; then
        report "$f: lifecycle/ sees interfaces only, not Asio/Beast"
    fi
    # Arrows point down the table: lower modules never include higher ones.
    case "$dir" in
        common) grep -nE '#include *"(crypto|transport|profiles|stores|scep|ocsp-crl|ca|lifecycle|cwmp|apps)/' "$f" >/dev/null && report "$f: common/ depends on std only" ;;
        crypto) grep -nE '#include *"(transport|profiles|stores|scep|ocsp-crl|ca|lifecycle|cwmp|apps)/' "$f" >/dev/null && report "$f: crypto/ depends on common and OpenSSL only" ;;
    esac
done < <(git ls-files -- '*.h' '*.cpp' 2>/dev/null || find . -name '*.h' -o -name '*.cpp' | sed 's#^\./##')

echo "include rules: $checked files checked, $strays strays"
[ "$strays" -eq 0 ] && [ "$checked" -gt 0 ]
