#!/usr/bin/env bash
# The dispute-packet tests read the PDF back with poppler (pdftotext,
# pdffonts) and embed a CJK font from Debian. Install them only when missing.
set -euo pipefail
need=()
command -v pdftotext >/dev/null 2>&1 || need+=(poppler-utils)
command -v pdffonts >/dev/null 2>&1 || need+=(poppler-utils)
# The motion-photo capture tests (tests/tests/jpeg_trailers.rs) append an MP4 made by ffmpeg;
# the clip tests (tests/tests/video_capture.rs) make MP4 (libx264, AAC), MOV and 3GP (H.263) clips with it.
command -v ffmpeg >/dev/null 2>&1 || need+=(ffmpeg)
# The share-copy tests (tests/tests/share_copies.rs) check with exiftool that a redacted copy carries no EXIF or GPS.
command -v exiftool >/dev/null 2>&1 || need+=(libimage-exiftool-perl)
if [ ! -e /usr/share/fonts/truetype/wqy/wqy-microhei.ttc ]; then
  need+=(fonts-wqy-microhei)
fi
if [ ${#need[@]} -gt 0 ]; then
  apt-get update -qq
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${need[@]}" >/dev/null
fi
