#!/usr/bin/env bash
# Installs what the Kotlin binding tests need, idempotently: Java 17, JNA
# (Debian's libjna-java with its native dispatch library libjna-jni), JUnit 4
# (Debian's junit4), and the Kotlin compiler from the npm package
# kotlin-compiler, unpacked into tools/kotlinc (git-ignored). No Maven.
set -euo pipefail
cd "$(dirname "$0")/../.."

KOTLIN_VERSION=2.2.21
need=()
command -v java >/dev/null 2>&1 || need+=(openjdk-17-jre-headless)
[ -f /usr/share/java/jna.jar ] || need+=(libjna-java)
ls /usr/lib/*/jni/libjnidispatch*.so >/dev/null 2>&1 || need+=(libjna-jni)
[ -f /usr/share/java/junit4.jar ] || need+=(junit4)
command -v npm >/dev/null 2>&1 || need+=(npm)
if [ ${#need[@]} -gt 0 ]; then
  echo "installing Debian packages: ${need[*]}"
  apt-get update -qq
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${need[@]}" >/dev/null
fi

if ! grep -q "^$KOTLIN_VERSION-" tools/kotlinc/build.txt 2>/dev/null; then
  echo "installing kotlinc $KOTLIN_VERSION (npm package kotlin-compiler) into tools/kotlinc"
  tmp=$(mktemp -d)
  (cd "$tmp" && npm pack --silent "kotlin-compiler@$KOTLIN_VERSION" >/dev/null)
  rm -rf tools/kotlinc.partial
  mkdir -p tools/kotlinc.partial
  tar xzf "$tmp"/kotlin-compiler-*.tgz -C tools/kotlinc.partial --strip-components=1
  rm -rf "$tmp" tools/kotlinc
  mv tools/kotlinc.partial tools/kotlinc
fi
tools/kotlinc/bin/kotlinc -version 2>&1 | tail -n 1
