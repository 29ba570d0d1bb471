#!/usr/bin/env bash
# HEIC previews are decoded by Debian's libheif: the workspace build needs its
# headers and pkg-config (libheif-dev), the HEIC tests make photos with
# heif-enc (libheif-examples), and the voice tests compare durations with
# ffprobe (ffmpeg). Installs only what is missing, before the build.
set -euo pipefail
need=()
command -v pkg-config >/dev/null 2>&1 || need+=(pkg-config)
pkg-config --exists libheif 2>/dev/null || need+=(libheif-dev)
command -v heif-enc >/dev/null 2>&1 || need+=(libheif-examples)
command -v ffprobe >/dev/null 2>&1 || need+=(ffmpeg)
if [ ${#need[@]} -gt 0 ]; then
  apt-get update -qq
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${need[@]}" >/dev/null
fi
