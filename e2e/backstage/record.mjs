// Records a real Backstage catalog backend's answers to requests.json into
// recorded.json, for callboard's differential test
// (catalog/httpapi/backstage_diff_test.go). Run it through run.sh:
//
//   e2e/backstage/run.sh record
//
// It drops the catalog database, starts the backend on the example entities
// and the fixture catalog, waits until processing has settled, sends every
// request (following cursors and Link headers as the request says), and
// writes what came back with the values that differ by nature (uids, etags,
// cursors) replaced by placeholders, so that a re-recording only changes
// where Backstage's answers change.
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import {
  backendURL, cleanDatabase, e2eDir, examplesDir, filesURL, log, packageVersion, processingErrors,
  runDir, serveFiles, startBackend, stopBackend, waitForBackend, waitForSettled,
} from './lib.mjs';
import { normalizeBody, normalizeHeaders, resolvePlaceholders, stabilize, stepURL } from './replay.mjs';

const requestsFile = join(e2eDir, 'requests.json');
const outFile = join(e2eDir, 'recorded.json');
const spec = JSON.parse(readFileSync(requestsFile, 'utf8'));

// Locations, as a Backstage app-config would list them: the two roots of
// Backstage's examples and the root of the fixture catalog.
const locations = [
  `${filesURL}/examples/all.yaml`,
  `${filesURL}/examples/acme-corp.yaml`,
  `${filesURL}/fixtures/all.yaml`,
];

async function send(method, path, req = {}) {
  const headers = { ...(req.headers ?? {}) };
  let body;
  if (req.rawBody !== undefined) {
    // Bytes, not a string: fetch would add content-type: text/plain.
    body = Buffer.from(req.rawBody, 'utf8');
  } else if (req.body !== undefined) {
    body = JSON.stringify(req.body);
    headers['content-type'] ??= 'application/json';
  }
  const res = await fetch(backendURL + path, { method, headers, body });
  const text = await res.text();
  const contentType = res.headers.get('content-type') ?? '';
  let parsed;
  if (contentType.includes('json')) {
    try {
      parsed = JSON.parse(text);
    } catch {
      parsed = undefined;
    }
  }
  const raw = {};
  for (const [k, v] of res.headers) raw[k] = v;
  return {
    status: res.status,
    headers: normalizeHeaders(raw),
    ...(parsed !== undefined ? { body: normalizeBody(parsed) } : { text }),
    // Kept only to follow the next step; never written.
    _raw: { headers: raw, body: parsed },
  };
}

async function uidOf(ref) {
  const [kind, rest] = ref.split(':');
  const [namespace, name] = rest.split('/');
  const res = await fetch(`${backendURL}/api/catalog/entities/by-name/${kind}/${namespace}/${name}`);
  if (!res.ok) throw new Error(`placeholder {uid:${ref}}: ${res.status}`);
  return (await res.json()).metadata.uid;
}

async function run(req) {
  const method = req.method ?? 'GET';
  const path = await resolvePlaceholders(req.path, uidOf);
  const responses = [];
  let prev = await send(method, path, req);
  responses.push({ step: 'first', path: req.path, ...prev });
  for (const step of req.follow ?? []) {
    const repeat = step.endsWith('*');
    const kind = repeat ? step.slice(0, -1) : step;
    for (let n = 0; n < 60; n++) {
      const next = stepURL(kind, prev._raw, req.followQuery);
      if (!next) {
        if (!repeat) responses.push({ step: kind, missing: true });
        break;
      }
      prev = await send('GET', next);
      responses.push({ step: kind, ...prev });
      if (!repeat) break;
    }
  }
  for (const r of responses) delete r._raw;
  return stabilizePages(req, responses);
}

// One response per line: a re-recording then shows, line by line, which
// answers changed.
function formatRecording(out) {
  const { requests, ...head } = out;
  const lines = Object.entries(head).map(([k, v]) => ` ${JSON.stringify(k)}: ${JSON.stringify(v, null, 1).replace(/\n/g, '\n ')}`);
  const reqs = requests.map(
    r => `  {"name": ${JSON.stringify(r.name)}, "responses": [\n${r.responses.map(x => `   ${JSON.stringify(x)}`).join(',\n')}\n  ]}`,
  );
  return `{\n${lines.join(',\n')},\n "requests": [\n${reqs.join(',\n')}\n ]\n}\n`;
}

// Where the order is not compared, the entities of all the pages are sorted
// together and dealt back into pages of the same sizes: the harness compares
// the pages' sizes and their entities together, and the recording no longer
// changes with Backstage's random tie-breaking.
function stabilizePages(req, responses) {
  if (!req.unordered && !req.orderKey) return responses;
  const lists = responses.map(r => (Array.isArray(r.body) ? r.body : Array.isArray(r.body?.items) ? r.body.items : undefined));
  const all = stabilize(req, lists.flatMap(l => l ?? []));
  let at = 0;
  return responses.map((r, i) => {
    if (!lists[i]) return r;
    const part = all.slice(at, at + lists[i].length);
    at += lists[i].length;
    return { ...r, body: Array.isArray(r.body) ? part : { ...r.body, items: part } };
  });
}

async function main() {
  const names = new Set();
  for (const r of spec.requests) {
    if (names.has(r.name)) throw new Error(`requests.json: duplicate name ${r.name}`);
    names.add(r.name);
  }
  const db = await cleanDatabase();
  log(`database cleaned (PostgreSQL ${db.serverVersion}, collation ${db.collation})`);
  const files = await serveFiles({ '/examples/': examplesDir, '/fixtures/': join(e2eDir, 'catalog') });
  const logFile = join(runDir, 'backend-record.log');
  const backend = startBackend({ locations, logFile });
  try {
    await waitForBackend(backend);
    log('backend up; waiting for the catalog to settle');
    const started = Date.now();
    const settled = await waitForSettled({ minEntities: 500 });
    log(`settled after ${((Date.now() - started) / 1000).toFixed(1)} s:`, JSON.stringify(settled));

    // The Location entities Backstage makes for its configured locations:
    // callboard has no configured locations, so the harness loads these
    // into callboard as they are, to compare the same catalog.
    const locs = await (await fetch(`${backendURL}/api/catalog/entities?filter=kind=location`)).json();
    const generated = locs
      .filter(e => e.metadata.name.startsWith('generated-'))
      .map(e => normalizeBody(e))
      .sort((a, b) => a.metadata.name.localeCompare(b.metadata.name));

    const recorded = [];
    for (const req of spec.requests) {
      recorded.push({ name: req.name, responses: await run(req) });
    }
    const out = {
      comment: 'Written by e2e/backstage/record.mjs from a real Backstage backend; do not edit. See e2e/backstage/README.md.',
      backstage: {
        node: process.version,
        '@backstage/backend-defaults': packageVersion('@backstage/backend-defaults'),
        '@backstage/plugin-catalog-backend': packageVersion('@backstage/plugin-catalog-backend'),
        database: `PostgreSQL ${db.serverVersion}`,
        collation: db.collation,
      },
      servedFrom: filesURL,
      locations,
      settled,
      generatedLocationEntities: generated,
      processingErrors: await processingErrors(),
      requests: recorded,
    };
    writeFileSync(outFile, formatRecording(out));
    const responses = recorded.reduce((n, r) => n + r.responses.length, 0);
    log(`wrote ${outFile}: ${recorded.length} requests, ${responses} responses`);
  } finally {
    await stopBackend(backend);
    files.close();
  }
}

main().catch(e => {
  console.error(e);
  process.exit(1);
});
