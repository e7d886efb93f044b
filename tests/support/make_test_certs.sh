#!/usr/bin/env bash
# Writes the TLS material the fetcher's hostile-server tests need into DIR, with the openssl CLI:
#   ca.pem                    a throw-away CA the client is told to trust (--tls-ca-file)
#   good.pem/good.key         localhost + 127.0.0.1, signed by the CA, valid now
#   wrong.pem/wrong.key       signed by the CA but for wrong.example (host-name mismatch)
#   expired.pem/expired.key   localhost, signed by the CA, expired in 2020
#   self.pem/self.key         localhost, self-signed (not from a trusted CA)
# `openssl req -days` refuses negative values, so the expired one goes through `openssl ca`,
# which takes explicit start and end dates.
set -euo pipefail
dir=${1:?usage: make_test_certs.sh DIR}
mkdir -p "$dir"
cd "$dir"
quiet() { "$@" >/dev/null 2>&1 || { echo "failed: $*" >&2; "$@"; }; }

quiet openssl req -x509 -newkey rsa:2048 -nodes -keyout ca.key -out ca.pem -days 2 \
  -subj "/CN=tributary test CA" -addext "basicConstraints=critical,CA:TRUE" \
  -addext "keyUsage=critical,keyCertSign,cRLSign"

leaf() {  # name san
  quiet openssl req -newkey rsa:2048 -nodes -keyout "$1.key" -out "$1.csr" -subj "/CN=$1"
  printf 'subjectAltName=%s\nbasicConstraints=CA:FALSE\n' "$2" >"$1.ext"
}
leaf good "DNS:localhost,IP:127.0.0.1"
quiet openssl x509 -req -in good.csr -CA ca.pem -CAkey ca.key -CAcreateserial -out good.pem \
  -days 2 -extfile good.ext
leaf wrong "DNS:wrong.example"
quiet openssl x509 -req -in wrong.csr -CA ca.pem -CAkey ca.key -CAcreateserial -out wrong.pem \
  -days 2 -extfile wrong.ext

leaf expired "DNS:localhost,IP:127.0.0.1"
mkdir -p ca-db
: >ca-db/index.txt
echo 01 >ca-db/serial
cat >ca.cnf <<CNF
[ca]
default_ca = test
[test]
database = ca-db/index.txt
serial = ca-db/serial
new_certs_dir = ca-db
default_md = sha256
policy = any
copy_extensions = none
[any]
commonName = supplied
CNF
quiet openssl ca -batch -config ca.cnf -cert ca.pem -keyfile ca.key -in expired.csr \
  -out expired.pem -startdate 20200101000000Z -enddate 20200102000000Z -extfile expired.ext \
  -notext

quiet openssl req -x509 -newkey rsa:2048 -nodes -keyout self.key -out self.pem -days 2 \
  -subj "/CN=localhost" -addext "subjectAltName=DNS:localhost,IP:127.0.0.1"
