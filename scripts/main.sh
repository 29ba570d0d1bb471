#!/usr/bin/env bash
# The main job: run the community's case server on the embedded default
# (SQLite and a blob folder under the data directory). On a fresh data
# directory it bootstraps a street office, a community, a coordinator and a
# worker, then shows one photo's whole path: a desktop device enrolls,
# captures a real camera photo, syncs, and holds the server's receipt. The
# server then keeps serving until Ctrl-C (it finishes in-flight requests).
#
#   SITEPROOF_DATA    data directory        (default ./siteproof-data)
#   SITEPROOF_LISTEN  address to listen on  (default 127.0.0.1:8080)
#   SITEPROOF_DEMO=0  skip the demo device
set -euo pipefail
cd "$(dirname "$0")/.."
# The server and the CLI decode HEIC previews with Debian's libheif: its headers and pkg-config to build.
if ! command -v pkg-config >/dev/null 2>&1 || ! pkg-config --exists libheif 2>/dev/null; then
  apt-get update -qq
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq pkg-config libheif-dev >/dev/null
fi
cargo build --release --locked -p siteproof-server -p siteproof
server=target/release/siteproof-server
cli=target/release/siteproof
data=${SITEPROOF_DATA:-$PWD/siteproof-data}
listen=${SITEPROOF_LISTEN:-127.0.0.1:8080}
mkdir -p "$data"

if [ ! -f "$data/bootstrap.txt" ]; then
  pass=$(head -c 12 /dev/urandom | base64 | tr -d '/+=' | head -c 16)
  "$server" --data "$data" admin create-office 东城街道
  "$server" --data "$data" admin create-community 东城街道 幸福里社区
  "$server" --data "$data" admin create-user coord1 --role coordinator --community 幸福里社区 --password "$pass"
  "$server" --data "$data" admin create-user wang --role worker --community 幸福里社区 --no-password
  umask 077
  printf 'coordinator: coord1\npassword: %s\n' "$pass" > "$data/bootstrap.txt"
  echo "初始化完成 / bootstrapped; coordinator login in $data/bootstrap.txt"
fi

"$server" --data "$data" --listen "$listen" &
pid=$!
trap 'kill -TERM $pid 2>/dev/null; wait $pid' INT TERM
for _ in $(seq 1 100); do
  curl -fsS "http://$listen/v1/health" >/dev/null 2>&1 && break
  sleep 0.1
done

if [ "${SITEPROOF_DEMO:-1}" != 0 ]; then
  home=$(mktemp -d)
  photo=../shared/fixtures/exif-samples/jpg/gps/DSCN0010.jpg
  code=$("$server" --data "$data" admin enroll-code --worker wang)
  "$cli" --home "$home" init
  "$cli" --home "$home" enroll "http://$listen" "$code" --name demo-laptop
  "$cli" --home "$home" capture photo "$photo" --lat 43.4674 --lon 11.8851 --accuracy 10
  "$cli" --home "$home" sync
  "$cli" --home "$home" queue
  "$cli" --home "$home" verify
  echo "demo device: $home"
fi

echo "案件服务器运行中 / case server running at http://$listen (Ctrl-C to stop)"
echo "协调员控制台 / coordinators' console: http://$listen/console (login in $data/bootstrap.txt)"
wait $pid
