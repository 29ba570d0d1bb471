"""Schemathesis hooks for scripts/api-fuzz.sh: tus sends raw bytes as
application/offset+octet-stream, a media type schemathesis has no serializer
for; without one it cannot fuzz the upload routes at all."""

import schemathesis


@schemathesis.serializer("application/offset+octet-stream")
def tus_bytes(ctx, value):
    if isinstance(value, bytes):
        return value
    if value is None:
        return b""
    return str(value).encode("utf-8")
