// Uploads to the Siteproof case server with tus-js-client under Node.
// Usage: node tus-js.mjs CUT_ENDPOINT DIRECT_ENDPOINT TOKEN FILE_A FILE_B
// FILE_A goes through a proxy that cuts the connection mid-upload; the client
// must retry and resume by itself. FILE_B is aborted at ~40% and resumed by a
// fresh Upload from its stored URL, as an app restart would. Prints JSON.
import fs from 'node:fs';
import crypto from 'node:crypto';
import path from 'node:path';
import * as tus from 'tus-js-client';

const [cutEndpoint, directEndpoint, token, fileA, fileB] = process.argv.slice(2);

function options(endpoint, buf, file, extra) {
  return {
    endpoint,
    headers: { Authorization: `Bearer ${token}` },
    metadata: { sha256: crypto.createHash('sha256').update(buf).digest('hex'), filename: path.basename(file) },
    chunkSize: 256 * 1024,
    retryDelays: [0, 100, 300, 1000, 2000],
    storeFingerprintForResuming: false,
    ...extra,
  };
}

function run(buf, opts) {
  return new Promise((resolve, reject) => {
    const up = new tus.Upload(buf, {
      ...opts,
      onError: reject,
      onSuccess: () => resolve(up),
    });
    if (opts.onStart) opts.onStart(up);
    up.start();
  });
}

async function cutAndRetry() {
  const buf = fs.readFileSync(fileA);
  let retries = 0;
  const up = await run(buf, options(cutEndpoint, buf, fileA, {
    onShouldRetry: () => { retries += 1; return true; },
  }));
  return { sha256: options('', buf, fileA).metadata.sha256, url: up.url, retries };
}

async function abortAndResume() {
  const buf = fs.readFileSync(fileB);
  const opts = options(directEndpoint, buf, fileB, {});
  let url = null;
  await new Promise((resolve, reject) => {
    const up = new tus.Upload(buf, {
      ...opts,
      onError: reject,
      onSuccess: () => reject(new Error('finished before the abort')),
      onProgress: (sent, total) => {
        url = up.url;
        if (sent > total * 0.4) { up.abort(); setTimeout(resolve, 100); }
      },
    });
    up.start();
  });
  const head = await fetch(new URL(url, directEndpoint), { method: 'HEAD', headers: { 'Tus-Resumable': '1.0.0', Authorization: `Bearer ${token}` } });
  const resumedFrom = Number(head.headers.get('upload-offset'));
  const up = await run(buf, { ...opts, uploadUrl: url });
  return { sha256: opts.metadata.sha256, url: up.url, resumed_from: resumedFrom };
}

try {
  const cut = await cutAndRetry();
  const resume = await abortAndResume();
  console.log(JSON.stringify({ client: `tus-js-client ${tus.Upload ? '4' : '?'}`, cut, resume }));
} catch (e) {
  console.error(`tus-js-client upload failed: ${e}`);
  process.exit(1);
}
