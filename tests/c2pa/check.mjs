// Reads one C2PA sidecar manifest against the original it binds to with
// c2pa-ts (TrustNXT's pure TypeScript implementation, independent of the
// c2pa-rs the server signs with) and prints the verdict as JSON for
// tests/tests/packet_c2pa.rs. Usage: node check.mjs ORIGINAL SIDECAR
import * as fs from 'node:fs/promises';
import { BMFF, JPEG, PNG } from '@trustnxt/c2pa-ts/asset';
import { SuperBox } from '@trustnxt/c2pa-ts/jumbf';
import { ManifestStore } from '@trustnxt/c2pa-ts/manifest';

const [originalPath, sidecarPath] = process.argv.slice(2);
const original = new Uint8Array(await fs.readFile(originalPath));
const asset = JPEG.canRead(original) ? new JPEG(original) : PNG.canRead(original) ? new PNG(original) : new BMFF(original);
const store = ManifestStore.read(SuperBox.fromBuffer(new Uint8Array(await fs.readFile(sidecarPath))));
const result = await store.validate(asset);
const active = store.getActiveManifest();
const labels = (active?.assertions?.assertions ?? []).map((a) => a.label ?? a.fullLabel);
console.log(JSON.stringify({
  valid: result.isValid,
  failures: result.statusEntries.filter((e) => e.success === false).map((e) => e.code),
  assertions: labels,
}));
