#!/usr/bin/env bash
# Self-contained test for certs/epsync-certs.
#
# Builds a throw-away PKI in a mktemp -d directory (removed on exit), exercises every
# subcommand and checks the results with the openssl command line tool, including a real
# TLS 1.3 mutual-authentication handshake on 127.0.0.1 with the issued certificates.
#
#   certs/test-epsync-certs.sh            # uses certs/epsync-certs next to this script
#   EPSYNC_CERTS=/path/to/epsync-certs certs/test-epsync-certs.sh
#
# Prints one line per check and ends with "N passed, M failed"; exits 1 if any failed.

set -uo pipefail

HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
TOOL=${EPSYNC_CERTS:-$HERE/epsync-certs}
command -v openssl >/dev/null || { echo "openssl is not installed" >&2; exit 1; }
[[ -x $TOOL ]] || { echo "cannot execute $TOOL" >&2; exit 1; }

T=$(mktemp -d)
SERVER_PID=""
cleanup() {
    if [[ -n $SERVER_PID ]]; then kill "$SERVER_PID" 2>/dev/null; wait "$SERVER_PID" 2>/dev/null; fi
    [[ -n ${KEEP:-} ]] || rm -rf -- "$T"
}
trap cleanup EXIT

PKI=$T/pki
PASS=0
FAIL=0

pass() { PASS=$((PASS + 1)); printf 'ok   %2d  %s\n' $((PASS + FAIL)) "$1"; }
fail() {
    FAIL=$((FAIL + 1)); printf 'FAIL %2d  %s\n' $((PASS + FAIL)) "$1"
    [[ -s $T/last.out ]] && sed 's/^/         | /' "$T/last.out" | head -20
    return 0
}

# check DESCRIPTION COMMAND...: passes when COMMAND exits 0 (its output goes to $T/last.out).
check() {
    local desc=$1; shift
    if "$@" >"$T/last.out" 2>&1; then pass "$desc"; else fail "$desc"; fi
}

# check_exit CODE DESCRIPTION COMMAND...: passes when COMMAND exits with CODE.
check_exit() {
    local want=$1 desc=$2 rc; shift 2
    "$@" >"$T/last.out" 2>&1; rc=$?
    if [[ $rc == "$want" ]]; then pass "$desc (exit $rc)"; else echo "exit $rc, wanted $want" >>"$T/last.out"; fail "$desc"; fi
}

# check_grep DESCRIPTION REGEX COMMAND...: passes when COMMAND's stdout+stderr matches REGEX
# (the command's own exit status is ignored, so it works for expected failures too).
check_grep() {
    local desc=$1 re=$2; shift 2
    "$@" >"$T/last.out" 2>&1
    if grep -Eq -- "$re" "$T/last.out"; then pass "$desc"; else echo "(no match for: $re)" >>"$T/last.out"; fail "$desc"; fi
}

mode_of() { stat -c %a "$1"; }
is_mode() { [[ $(mode_of "$1") == "$2" ]] || { echo "$1 has mode $(mode_of "$1"), wanted $2"; return 1; }; }
text() { openssl x509 -in "$1" -noout -text; }
verify() { openssl verify -CAfile "$PKI/ca.crt" "$@"; }
verify_crl() { openssl verify -crl_check -CAfile "$PKI/ca.crt" -CRLfile "$PKI/ca.crl" "$@"; }
# ext_has CERT EXTENSION_NAME REGEX: the lines of that extension match REGEX
ext_has() {
    local body
    body=$(text "$1" | awk -v e="$2" 'index($0, e) { on = 1; print; next } on && /^ +X509v3 / { on = 0 } on')
    printf '%s\n' "$body"
    grep -Eq -- "$3" <<<"$body"
}
not() { ! "$@"; }
# output_matches REGEX COMMAND...: COMMAND succeeds and its output matches REGEX
output_matches() { local re=$1 out; shift; out=$("$@" 2>&1) || return 1; grep -Eq -- "$re" <<<"$out"; }

echo "# epsync-certs test in $T"

# --- help and usage ---------------------------------------------------------------------
check_grep "--help prints the usage" '^Usage: epsync-certs COMMAND' "$TOOL" --help
for c in init-ca hub center revoke crl; do
    check_grep "$c --help prints its usage" "^Usage: epsync-certs $c" "$TOOL" "$c" --help
done
check_exit 2 "no arguments is a usage error" "$TOOL"
check_exit 2 "unknown command is a usage error" "$TOOL" frobnicate --dir "$PKI"

# --- init-ca ----------------------------------------------------------------------------
check "init-ca creates a CA" "$TOOL" init-ca --dir "$PKI" --name "epsync Test CA"
check "ca.key is mode 0600" is_mode "$PKI/ca.key" 600
check "ca.key is an EC P-256 key" \
    output_matches 'P-256|prime256v1' openssl pkey -in "$PKI/ca.key" -noout -text
check_grep "CA subject is CN=epsync Test CA" '^subject=CN=epsync Test CA$' \
    openssl x509 -in "$PKI/ca.crt" -noout -subject -nameopt RFC2253
check "CA cert has basicConstraints=critical,CA:TRUE" \
    ext_has "$PKI/ca.crt" "X509v3 Basic Constraints: critical" "CA:TRUE"
check "CA cert has keyUsage=critical,keyCertSign,cRLSign" \
    ext_has "$PKI/ca.crt" "X509v3 Key Usage: critical" "Certificate Sign, CRL Sign"
check "CA cert is self-signed and verifies as a CA" verify "$PKI/ca.crt"
check "CA database files exist (index.txt, serial, crlnumber, ca.cnf, newcerts/)" \
    test -f "$PKI/index.txt" -a -f "$PKI/serial" -a -f "$PKI/crlnumber" -a -f "$PKI/ca.cnf" -a -d "$PKI/newcerts"
check "init-ca publishes an initial CRL signed by the CA" \
    openssl crl -in "$PKI/ca.crl" -noout -CAfile "$PKI/ca.crt"
sum_before=$(sha256sum "$PKI/ca.key" "$PKI/ca.crt")
check_exit 1 "init-ca twice refuses" "$TOOL" init-ca --dir "$PKI"
cp "$T/last.out" "$T/refusal.out"
check_grep "init-ca twice says why" 'already holds a CA' cat "$T/refusal.out"
check "the refused init-ca left the CA untouched" \
    test "$sum_before" = "$(sha256sum "$PKI/ca.key" "$PKI/ca.crt")"

# --- hub --------------------------------------------------------------------------------
check "hub issues a certificate" "$TOOL" hub --dir "$PKI" --out "$T/hub" \
    --dns hub.example.kz --dns hub.internal --ip 127.0.0.1 --ip 10.0.0.5 --ip ::1
check "hub.key is mode 0600" is_mode "$T/hub.key" 600
check "hub key is EC P-256" \
    output_matches 'P-256|prime256v1' openssl pkey -in "$T/hub.key" -noout -text
check_grep "hub subject is CN=hub.example.kz" '^subject=CN=hub.example.kz$' \
    openssl x509 -in "$T/hub.crt" -noout -subject -nameopt RFC2253
check "hub SAN has every DNS name and IP" ext_has "$T/hub.crt" "Subject Alternative Name" \
    'DNS:hub\.example\.kz, DNS:hub\.internal, IP Address:127\.0\.0\.1, IP Address:10\.0\.0\.5, IP Address:0:0:0:0:0:0:0:1'
check "hub extendedKeyUsage is serverAuth only" ext_has "$T/hub.crt" "Extended Key Usage" \
    '^ +TLS Web Server Authentication$'
check "hub keyUsage is critical digitalSignature" ext_has "$T/hub.crt" "X509v3 Key Usage: critical" \
    '^ +Digital Signature$'
check "hub basicConstraints is CA:FALSE" ext_has "$T/hub.crt" "Basic Constraints" 'CA:FALSE'
check "hub cert verifies against the CA as a TLS server" verify -purpose sslserver "$T/hub.crt"
check "hub cert matches its DNS name" verify -verify_hostname hub.internal "$T/hub.crt"
check "hub cert matches its IP" verify -verify_ip 10.0.0.5 "$T/hub.crt"
check "hub cert is not accepted as a TLS client" not verify -purpose sslclient "$T/hub.crt"
check "hub key matches hub cert" test "$(openssl pkey -in "$T/hub.key" -pubout)" = \
    "$(openssl x509 -in "$T/hub.crt" -noout -pubkey)"
check_exit 1 "hub refuses to overwrite an existing certificate" "$TOOL" hub --dir "$PKI" \
    --out "$T/hub" --dns hub.example.kz

# --- center -----------------------------------------------------------------------------
check "center issues a certificate for ALM-014" "$TOOL" center --dir "$PKI" --out "$T/alm014" --id ALM-014
check "centre key is mode 0600" is_mode "$T/alm014.key" 600
check_grep "centre subject is exactly CN=ALM-014" '^subject=CN=ALM-014$' \
    openssl x509 -in "$T/alm014.crt" -noout -subject -nameopt RFC2253
check "centre extendedKeyUsage is clientAuth only" ext_has "$T/alm014.crt" "Extended Key Usage" \
    '^ +TLS Web Client Authentication$'
check "centre keyUsage is critical digitalSignature" ext_has "$T/alm014.crt" "X509v3 Key Usage: critical" \
    '^ +Digital Signature$'
check "centre basicConstraints is CA:FALSE" ext_has "$T/alm014.crt" "Basic Constraints" 'CA:FALSE'
check "centre cert has no subjectAltName" not ext_has "$T/alm014.crt" "Subject Alternative Name" '.'
check "centre cert verifies against the CA as a TLS client" verify -purpose sslclient "$T/alm014.crt"
check "centre cert is not accepted as a TLS server" not verify -purpose sslserver "$T/alm014.crt"
check "second centre ALM-015 issued" "$TOOL" center --dir "$PKI" --out "$T/alm015" --id ALM-015 --days 30
check "replacement cert for ALM-014 can be issued while the old one is valid" \
    "$TOOL" center --dir "$PKI" --out "$T/alm014-new" --id ALM-014

# --- bad usage --------------------------------------------------------------------------
for bad in alm-014 AL 1ALM ALM_014 "ALM 014" ABCDEFGHIJKLMNOPQRSTU "ALM-014/x" ""; do
    check_exit 2 "center rejects id '$bad'" "$TOOL" center --dir "$PKI" --out "$T/bad" --id "$bad"
done
check "no files were written for rejected ids" test ! -e "$T/bad.key" -a ! -e "$T/bad.crt"
check_exit 2 "--dir without a value is a usage error" "$TOOL" center --id ALM-016 --out "$T/x" --dir
check_exit 2 "init-ca --dir without a value is a usage error" "$TOOL" init-ca --dir
check_exit 2 "center without --id is a usage error" "$TOOL" center --dir "$PKI" --out "$T/x"
check_exit 2 "center without --out is a usage error" "$TOOL" center --dir "$PKI" --id ALM-016
check_exit 2 "hub without --dns is a usage error" "$TOOL" hub --dir "$PKI" --out "$T/x"
check_exit 2 "hub with a bad IP is a usage error" "$TOOL" hub --dir "$PKI" --out "$T/x" --dns h.kz --ip 300.1.1.1
check_exit 2 "hub with a bad IPv6 address is a usage error" "$TOOL" hub --dir "$PKI" --out "$T/x" --dns h.kz --ip 1:2:3
check_exit 2 "hub with a bad DNS name is a usage error" "$TOOL" hub --dir "$PKI" --out "$T/x" --dns 'hub_1..kz'
check_exit 2 "unknown option is a usage error" "$TOOL" center --dir "$PKI" --out "$T/x" --id ALM-016 --colour red
check_exit 2 "--days must be a number" "$TOOL" center --dir "$PKI" --out "$T/x" --id ALM-016 --days soon
check_exit 2 "--not-before needs --not-after" "$TOOL" center --dir "$PKI" --out "$T/x" --id ALM-016 \
    --not-before 20200101000000Z
check_exit 2 "--days and --not-before/--not-after are exclusive" "$TOOL" center --dir "$PKI" --out "$T/x" \
    --id ALM-016 --days 5 --not-before 20200101000000Z --not-after 20210101000000Z
check_exit 2 "malformed --not-after is a usage error" "$TOOL" center --dir "$PKI" --out "$T/x" --id ALM-016 \
    --not-before 20200101000000Z --not-after 2021-01-01
check_exit 1 "issuing from a directory without a CA fails" "$TOOL" center --dir "$T/nope" --out "$T/x" --id ALM-016
check_grep "usage errors are explained on stderr" "invalid centre id 'alm-014'" \
    "$TOOL" center --dir "$PKI" --out "$T/bad" --id alm-014

# --- expired certificate ----------------------------------------------------------------
check "center with --not-before/--not-after in the past" "$TOOL" center --dir "$PKI" \
    --out "$T/expired" --id ALM-099 --not-before 20200101000000Z --not-after 20210101000000Z
check_grep "expired cert has the requested dates" \
    'notBefore=Jan  1 00:00:00 2020 GMT.*notAfter=Jan  1 00:00:00 2021 GMT' \
    bash -c "openssl x509 -in '$T/expired.crt' -noout -dates | tr '\n' ' '"
check "expired cert fails openssl verify" not verify "$T/expired.crt"
check_grep "openssl verify reports it as expired (error 10)" 'error 10 at 0 depth lookup: certificate has expired' \
    verify "$T/expired.crt"
check "expired cert verifies when time is ignored (expiry is its only fault)" \
    verify -no_check_time "$T/expired.crt"

check_grep "issuing beyond the CA's lifetime warns" 'outlives the CA certificate' \
    "$TOOL" center --dir "$PKI" --out "$T/long" --id ALM-777 --days 36500
rm -f "$T/long.crt" "$T/long.key"

# --- serials and database ----------------------------------------------------------------
serials=$(for c in hub alm014 alm015 alm014-new expired; do openssl x509 -in "$T/$c.crt" -noout -serial; done)
check "all serial numbers are distinct" test "$(sort -u <<<"$serials" | wc -l)" -eq 5
check "every issued certificate is in index.txt" test "$(grep -c '^V' "$PKI/index.txt")" -eq 6
check "newcerts/ keeps a copy of every issued certificate" \
    test "$(find "$PKI/newcerts" -name '*.pem' | wc -l)" -eq 6

# --- real TLS 1.3 mutual authentication -------------------------------------------------
# tls CLIENT_PREFIX [extra s_server args...]: one TLS 1.3 connection on 127.0.0.1 between an
# s_server holding the hub cert (requiring a client cert from our CA) and an s_client holding
# the centre cert (verifying the hub's name). s_server -www answers with a status page that
# includes the client certificate it accepted. Output in $T/client.out and $T/server.out.
# Returns 0 if the exchange completed, 1 if it was refused, 3 if the server never started.
tls() {
    local client=$1; shift
    local port tries=0 i
    while :; do
        port=$((20000 + RANDOM % 40000))
        openssl s_server -accept "127.0.0.1:$port" -naccept 1 -www -tls1_3 \
            -cert "$T/hub.crt" -key "$T/hub.key" -CAfile "$PKI/ca.crt" \
            -Verify 2 -verify_return_error -purpose sslclient "$@" \
            >"$T/server.out" 2>&1 </dev/null &
        SERVER_PID=$!
        for ((i = 0; i < 50; i++)); do
            grep -q ACCEPT "$T/server.out" 2>/dev/null && break
            kill -0 "$SERVER_PID" 2>/dev/null || break
            sleep 0.1
        done
        grep -q ACCEPT "$T/server.out" && break
        kill "$SERVER_PID" 2>/dev/null; wait "$SERVER_PID" 2>/dev/null; SERVER_PID=""
        tries=$((tries + 1))
        (( tries < 5 )) || { echo "s_server did not start:"; cat "$T/server.out"; return 3; }
    done
    printf 'GET / HTTP/1.0\r\n\r\n' | timeout 10 openssl s_client -connect "127.0.0.1:$port" \
        -tls1_3 -ign_eof -CAfile "$PKI/ca.crt" -cert "$T/$client.crt" -key "$T/$client.key" \
        -verify_return_error -verify_hostname hub.example.kz -purpose sslserver \
        >"$T/client.out" 2>&1
    for ((i = 0; i < 100; i++)); do kill -0 "$SERVER_PID" 2>/dev/null || break; sleep 0.1; done
    kill "$SERVER_PID" 2>/dev/null; wait "$SERVER_PID" 2>/dev/null; SERVER_PID=""
    cat "$T/client.out" "$T/server.out"
    grep -q 'Verify return code: 0 (ok)' "$T/client.out" \
        && grep -q 'Protocol *: TLSv1.3' "$T/client.out" \
        && grep -q '^Client certificate' "$T/client.out"
}
tls_ok() { tls "$@"; }
tls_refused() {  # the server started, and refused the client with a certificate error
    local rc; tls "$@"; rc=$?
    (( rc == 1 )) && grep -Eq 'verify error|certificate revoked|alert' "$T/server.out" "$T/client.out"
}
check "TLS 1.3 mutual handshake: centre ALM-014 <-> hub" tls_ok alm014
check_grep "the hub saw subject CN=ALM-014 in the client certificate" 'Subject: CN ?= ?ALM-014' \
    cat "$T/client.out"
check "a hub certificate is refused as a client certificate" tls_refused hub

# --- revoke and crl ---------------------------------------------------------------------
crlnum() { openssl crl -in "$PKI/ca.crl" -noout -crlnumber | sed 's/.*=//; s/^0x//'; }
n0=$(crlnum)
check "before revocation the centre cert passes the CRL check" verify_crl "$T/alm014.crt"
alm014_serial=$(openssl x509 -in "$T/alm014.crt" -noout -serial | sed 's/.*=//')
check "revoke ALM-014's old certificate" "$TOOL" revoke --dir "$PKI" --cert "$T/alm014.crt" --reason keyCompromise
check_grep "index.txt marks it revoked" "^R	.*	$alm014_serial	" cat "$PKI/index.txt"
check "crl republishes ca.crl" "$TOOL" crl --dir "$PKI" --days 7
check_grep "ca.crl is PEM" '^-----BEGIN X509 CRL-----$' cat "$PKI/ca.crl"
check "ca.crl signature verifies against the CA" openssl crl -in "$PKI/ca.crl" -noout -CAfile "$PKI/ca.crt"
check_grep "ca.crl lists the revoked serial" "Serial Number: $alm014_serial" openssl crl -in "$PKI/ca.crl" -noout -text
check "CRL number increased" test "$(( 16#$(crlnum) ))" -gt "$(( 16#$n0 ))"
check_grep "crl --days sets nextUpdate about a week ahead" "nextUpdate=$(date -u -d '+7 days' '+%b %e')" \
    openssl crl -in "$PKI/ca.crl" -noout -nextupdate
check "revoked cert is rejected with -crl_check" not verify_crl "$T/alm014.crt"
check_grep "rejection says 'certificate revoked' (error 23)" 'error 23 at 0 depth lookup: certificate revoked' \
    verify_crl "$T/alm014.crt"
check "the replacement ALM-014 cert is still accepted" verify_crl "$T/alm014-new.crt"
check "another valid centre (ALM-015) is still accepted" verify_crl "$T/alm015.crt"
check "the hub cert is still accepted" verify_crl "$T/hub.crt"
check "TLS: a hub checking the CRL refuses the revoked centre cert" \
    tls_refused alm014 -crl_check -CRL "$PKI/ca.crl"
check_grep "the hub logs 'certificate revoked'" 'certificate revoked' cat "$T/server.out"
check "TLS: a hub checking the CRL accepts the replacement cert" \
    tls_ok alm014-new -crl_check -CRL "$PKI/ca.crl"
check_grep "revoking it again is harmless" 'already revoked' "$TOOL" revoke --dir "$PKI" --cert "$T/alm014.crt"
check "an expired certificate can be revoked too" "$TOOL" revoke --dir "$PKI" --cert "$T/expired.crt"
check "revoke by the newcerts/ copy works" "$TOOL" revoke --dir "$PKI" \
    --cert "$PKI/newcerts/$(openssl x509 -in "$T/alm015.crt" -noout -serial | sed 's/.*=//').pem"
check "ALM-015 is now rejected" not verify_crl "$T/alm015.crt"
check_exit 2 "revoke without --cert is a usage error" "$TOOL" revoke --dir "$PKI"
check_exit 2 "revoke with a bad --reason is a usage error" "$TOOL" revoke --dir "$PKI" --cert "$T/hub.crt" --reason bored
mkdir -p "$T/other"
"$TOOL" init-ca --dir "$T/other/pki" >/dev/null 2>&1
"$TOOL" center --dir "$T/other/pki" --out "$T/other/c" --id ALM-014 >/dev/null 2>&1
check_exit 1 "revoke refuses a certificate from another CA" "$TOOL" revoke --dir "$PKI" --cert "$T/other/c.crt"
check "a certificate from another CA does not verify against ours" not verify "$T/other/c.crt"
check_exit 2 "crl --days must be a number" "$TOOL" crl --dir "$PKI" --days -3

echo "$PASS passed, $FAIL failed"
(( FAIL == 0 ))
