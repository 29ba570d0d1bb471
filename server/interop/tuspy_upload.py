"""Uploads to the Siteproof case server with tuspy (sha1 checksums per chunk).

Usage: tuspy_upload.py CUT_ENDPOINT DIRECT_ENDPOINT TOKEN FILE_A FILE_B

FILE_A goes through a proxy that cuts the connection mid-upload; tuspy must
retry and resume from the server's offset. FILE_B is uploaded two chunks at
a time, then resumed by a new uploader from its URL, as after an app restart.
Prints JSON.
"""
import hashlib
import json
import os
import sys

from tusclient import client

CHUNK = 256 * 1024


def sha256(path):
    with open(path, "rb") as f:
        return hashlib.sha256(f.read()).hexdigest()


def uploader(endpoint, token, path, url=None):
    c = client.TusClient(endpoint, headers={"Authorization": "Bearer " + token})
    return c.uploader(
        path,
        url=url,
        chunk_size=CHUNK,
        metadata={"sha256": sha256(path), "filename": os.path.basename(path)},
        upload_checksum=True,
        retries=5,
        retry_delay=0.2,
    )


def main():
    cut_endpoint, direct_endpoint, token, file_a, file_b = sys.argv[1:6]
    a = uploader(cut_endpoint, token, file_a)
    a.upload()
    first = uploader(direct_endpoint, token, file_b)
    first.upload_chunk()
    first.upload_chunk()
    url = first.url
    resumed = uploader(direct_endpoint, token, file_b, url=url)
    resumed_from = resumed.get_offset()
    resumed.offset = resumed_from
    resumed.upload()
    print(json.dumps({
        "client": "tuspy",
        "checksum": a.checksum_algorithm_name,
        "cut": {"sha256": sha256(file_a), "url": a.url},
        "resume": {"sha256": sha256(file_b), "url": url, "resumed_from": resumed_from},
    }))


if __name__ == "__main__":
    main()
