#!/usr/bin/env bash
# certkeeper-responder killed with SIGKILL under load: 4 loops of `certkeeper scep enroll` (a new
# P-256 key each, cheap to make so that requests are in flight most of the time; retried with the
# same key on a network error, so with the same transactionID) against an RSA-2048 CA, while the
# responder is killed at random moments and restarted on the same directory. Then:
# the database opens and `cert list --json` works, SQLite's integrity_check is ok, no serial is
# recorded twice, every certificate a client received is recorded with the same serial and the
# same DER (nothing issued but unrecorded), carries that client's key, and no certificate was
# recorded without reaching its client (a retried transaction gets the recorded one again).
# usage: responder_crash_test.sh RESPONDER_BINARY CERTKEEPER_BINARY
#        CRASH_KILLS (default 5) and CRASH_SEED (default: the PID) vary the run.
. "$(dirname "$0")/lib.sh"
responder=${1:?usage: responder_crash_test.sh RESPONDER_BINARY CERTKEEPER_BINARY}
ck=${2:?usage: responder_crash_test.sh RESPONDER_BINARY CERTKEEPER_BINARY}
for tool in python3 openssl; do
    command -v "$tool" >/dev/null || { echo "responder_crash: SKIPPED, $tool is not installed"; exit 77; }
done
cd "$work" || exit 1
kills=${CRASH_KILLS:-5}
seed=${CRASH_SEED:-$$}
RANDOM=$seed
loops=4
# Enrolments per loop at most: the loops stop when told to, normally long before. 4 x 200 stays
# under the 1000 rows that `cert list` prints at most.
max_per_loop=200
max_tries=150      # attempts of one enrolment (0.1 s apart while the responder is down)
echo "responder_crash: seed $seed (CRASH_SEED=$seed reproduces the kill times)"

"$responder" init --dir ca --key rsa:2048 >init.log 2>&1 || { cat init.log; exit 1; }
port=$(free_port)
url="http://127.0.0.1:$port/scep"
fp=$(fingerprint ca/ca.pem)
server=
start_server() {
    "$responder" serve --dir ca --port "$port" --challenge crash-secret --threads 4 >>server.log 2>&1 &
    server=$!
    pids=("${loop_pids[@]}" "$server")
    wait_port "$port" || { tail -20 server.log; exit 1; }
}

# enrol_loop L: enrolments until ./stop exists; one line per outcome in loop-L.log.
enrol_loop() {
    local l=$1 i tries rc
    for ((i = 1; i <= max_per_loop; i++)); do
        [ -e stop ] && return 0
        openssl genpkey -algorithm EC -pkeyopt ec_paramgen_curve:P-256 -out "key-$l-$i.pem" 2>/dev/null ||
            { echo "FAILED $i: keygen" >>"loop-$l.log"; return 1; }
        for ((tries = 1; tries <= max_tries; tries++)); do
            "$ck" scep enroll --url "$url" --fingerprint "$fp" --key "key-$l-$i.pem" \
                --subject "CN=crash-$l-$i,O=certkeeper" --challenge crash-secret \
                --cert-out "cert-$l-$i.pem" --timeout 10 >"out-$l.txt" 2>&1
            rc=$?
            [ "$rc" -ne 5 ] && break
            echo "retry $i" >>"loop-$l.log"
            sleep 0.1
        done
        if [ "$rc" -eq 0 ]; then
            echo "issued $i tries $tries" >>"loop-$l.log"
        else
            echo "FAILED $i exit $rc: $(tr '\n' ' ' <"out-$l.txt")" >>"loop-$l.log"
        fi
    done
}

loop_pids=()
start_server
for l in $(seq "$loops"); do
    enrol_loop "$l" &
    loop_pids+=($!)
done
pids=("${loop_pids[@]}" "$server")
sleep 1
for k in $(seq "$kills"); do
    # 0.3 to 1.5 s between kills
    sleep "$(awk -v r=$((RANDOM % 1201)) 'BEGIN { printf "%.3f", 0.3 + r / 1000 }')"
    kill -9 "$server"
    wait "$server" 2>/dev/null
    echo "--- killed with SIGKILL ($k) ---" >>server.log
    sleep "0.$((RANDOM % 3))"   # 0 to 0.2 s down
    start_server
done
sleep 1.5
touch stop
wait "${loop_pids[@]}"
kill "$server"
wait "$server" 2>/dev/null
pids=()

received=$(find . -maxdepth 1 -name 'cert-*.pem' | wc -l)
retries=$(cat loop-*.log | grep -c '^retry' || true)
failures=$(cat loop-*.log | grep '^FAILED' || true)
assert "every enrolment ended in a certificate" test -z "$failures"
[ -n "$failures" ] && printf '%s\n' "$failures" | head -5
assert "the loops enrolled across the kills (retried $retries times)" test "$received" -ge 20

# shellcheck disable=SC2016  # $0 is expanded by the inner sh
assert "the database opens: cert list --json works after the kills" \
    sh -c '"$0" cert list --dir ca --json >list.json' "$responder"
listed=$(python3 -c 'import json, sys; print(len(json.load(open(sys.argv[1]))))' list.json 2>&1)
assert "cert list lists every recorded certificate" test "$listed" = \
    "$(python3 -c 'import sqlite3, sys; print(sqlite3.connect(sys.argv[1]).execute("SELECT count(*) FROM certificates").fetchone()[0])' ca/ca.db)"
expect "SQLite integrity_check is ok" 0 python3 -c '
import sqlite3, sys
r = sqlite3.connect(sys.argv[1]).execute("PRAGMA integrity_check").fetchall()
print(r)
sys.exit(0 if r == [("ok",)] else 1)' ca/ca.db

# Every received certificate: its serial (openssl) and DER, against the database's rows.
for f in cert-*.pem; do
    [ -e "$f" ] || continue
    printf '%s %s %s\n' "$f" "$(openssl x509 -in "$f" -noout -serial | cut -d= -f2)" \
        "$(openssl x509 -in "$f" -outform DER | od -An -v -tx1 | tr -d ' \n')"
done >received.txt
failed_before=$failed
expect "received certificates are recorded, no duplicate serials" 0 python3 -c '
import sqlite3, sys
db = sqlite3.connect(sys.argv[1])
rows = db.execute("SELECT serial, der FROM certificates").fetchall()
problems = []
serials = [s for s, _ in rows]
dup = len(serials) - len(set(serials))
if dup:
    problems.append("%d duplicate serials in the database" % dup)
recorded = {s.lstrip("0").upper(): bytes(d).hex() for s, d in rows}
seen = {}
for line in open(sys.argv[2]):
    name, serial, der = line.split()
    serial = serial.lstrip("0").upper()
    if serial in seen:
        problems.append("%s and %s received the same serial %s" % (seen[serial], name, serial))
    seen[serial] = name
    if serial not in recorded:
        problems.append("%s: serial %s issued but not recorded" % (name, serial))
    elif recorded[serial] != der:
        problems.append("%s: serial %s recorded with a different certificate" % (name, serial))
orphans = sorted(set(recorded) - set(seen))
if orphans:
    problems.append("%d recorded certificates reached no client: %s" % (len(orphans), " ".join(orphans[:5])))
print("%d recorded, %d received" % (len(rows), len(seen)))
print("\n".join(problems))
sys.exit(1 if problems else 0)' ca/ca.db received.txt
if [ "$failed" -eq "$failed_before" ]; then recorded="all recorded"; else recorded="NOT all recorded"; fi

wrong_key=0
for f in cert-*.pem; do
    [ -e "$f" ] || continue
    same_key "$f" "key-${f#cert-}" || { wrong_key=$((wrong_key + 1)); echo "wrong key in $f"; }
done
assert "every received certificate carries its client's key" test "$wrong_key" -eq 0
resent=$(grep -c 'resent request' server.log || true)
dups=$(python3 -c 'import sqlite3, sys; print(sqlite3.connect(sys.argv[1]).execute("SELECT count(*) - count(DISTINCT serial) FROM certificates").fetchone()[0])' ca/ca.db)
echo "responder_crash: $kills kills, $received enrolments received, $recorded, $dups duplicate serials ($retries retries, $resent answered with the recorded certificate)"
[ "$failed" -eq 0 ] || tail -30 server.log
finish responder_crash
