#!/usr/bin/env bash
# Development certificates: a CA, server certificates for the gateway and the national stub
# (national-stub.crt, CN=national-db-stub.emr-gateway.test), a client certificate for the gateway
# towards the national database (gateway-client.crt, CN=gateway.emr-gateway.test) and one per
# facility.
#
#   scripts/gen-dev-certs.sh [OUT_DIR]     (default: var/certs, git-ignored)
#
# Idempotent: existing files are kept (missing ones are made with the existing CA) unless --force
# is given. Never commit what this makes.
set -euo pipefail
cd "$(dirname "$0")/.."

force=0
out=var/certs
for a in "$@"; do
  case "$a" in
    --force) force=1 ;;
    *) out="$a" ;;
  esac
done
mkdir -p "$out"
chmod 700 "$out"

keep=0
if [[ -f "$out/ca.crt" && -f "$out/ca.key" && $force -eq 0 ]]; then keep=1; fi

days=825
key() { openssl genpkey -algorithm EC -pkeyopt ec_paramgen_curve:P-256 -out "$1" 2>/dev/null; chmod 600 "$1"; }

# cert NAME SUBJECT EXT  (signed by the CA; kept when it exists and the CA is kept)
made=0
cert() {
  local name=$1 subj=$2 ext=$3
  if [[ $keep -eq 1 && -f "$out/$name.crt" && -f "$out/$name.key" ]]; then return 0; fi
  made=$((made + 1))
  key "$out/$name.key"
  openssl req -new -key "$out/$name.key" -subj "$subj" -out "$out/$name.csr" 2>/dev/null
  openssl x509 -req -in "$out/$name.csr" -CA "$out/ca.crt" -CAkey "$out/ca.key" -CAcreateserial \
    -days $days -sha256 -extfile <(printf '%s\n' "$ext") -out "$out/$name.crt" 2>/dev/null
  rm -f "$out/$name.csr"
}

if [[ $keep -eq 0 ]]; then
key "$out/ca.key"
openssl req -x509 -new -key "$out/ca.key" -sha256 -days 3650 \
  -subj "/CN=emr-gateway development CA" \
  -addext "basicConstraints=critical,CA:TRUE" -addext "keyUsage=critical,keyCertSign,cRLSign" \
  -out "$out/ca.crt" 2>/dev/null
fi

server_ext='basicConstraints=CA:FALSE
keyUsage=critical,digitalSignature,keyEncipherment
extendedKeyUsage=serverAuth,clientAuth
subjectAltName=DNS:localhost,IP:127.0.0.1'
client_ext='basicConstraints=CA:FALSE
keyUsage=critical,digitalSignature
extendedKeyUsage=clientAuth'

cert gateway "/CN=gateway.emr-gateway.test" "$server_ext"
cert national "/CN=national.emr-gateway.test" "$server_ext"
cert national-stub "/CN=national-db-stub.emr-gateway.test" "$server_ext"
cert gateway-client "/CN=gateway.emr-gateway.test" "$client_ext"
n=0
for f in config/facilities/*.yaml; do
  code=$(sed -n 's/^code: *"\{0,1\}\([0-9]\{5\}\)"\{0,1\}.*/\1/p' "$f")
  [[ -n "$code" ]] || continue
  cert "facility-$code" "/CN=facility-$code.emr-gateway.test" "$client_ext"
  n=$((n + 1))
done
rm -f "$out"/*.srl
if [[ $keep -eq 1 ]]; then
  echo "gen-dev-certs: $out already had a CA; made $made missing certificate(s) (use --force to make new ones)"
else
  echo "gen-dev-certs: CA, gateway, national stub, gateway client and $n facility certificates in $out"
fi
