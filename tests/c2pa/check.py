"""Reads one C2PA sidecar manifest against the original it binds to with
c2pa-python (the C2PA reference SDK's Python binding) and prints the verdict
as JSON for tests/tests/packet_c2pa.rs. The packet's root certificate is the
only trust anchor. Usage: python check.py ORIGINAL SIDECAR ROOT_PEM MEDIA_TYPE"""
import json
import sys

import c2pa

original_path, sidecar_path, root_path, media_type = sys.argv[1:5]
with open(root_path, encoding="utf-8") as f:
    root = f.read()
settings = c2pa.Settings.from_dict({"trust": {"trust_anchors": root}, "verify": {"verify_trust": True}})
context = c2pa.Context(settings)
with open(sidecar_path, "rb") as f:
    sidecar = f.read()
with open(original_path, "rb") as f:
    reader = c2pa.Reader(media_type, f, sidecar, context=context)
    store = json.loads(reader.json())
    results = reader.get_validation_results() or {}
    active = store["manifests"][store["active_manifest"]]
    current = results.get("activeManifest", {})
    print(json.dumps({
        "state": reader.get_validation_state(),
        "failures": [s["code"] for s in current.get("failure", [])],
        "successes": [s["code"] for s in current.get("success", [])],
        "assertions": {a["label"]: a.get("data") for a in active.get("assertions", [])},
        "issuer": (active.get("signature_info") or {}).get("issuer"),
    }, ensure_ascii=False))
