// Measures the real Backstage catalog backend on issue 16's speed queries,
// on 10,000 components and 1,000 groups plus Backstage's example entities,
// and writes speed.json. Run it through run.sh:
//
//   e2e/backstage/run.sh speed
//
// The generated catalog is written to the scratch directory, not the
// repository. Figures are taken with one keep-alive client, as the issue's
// table says, after a warm-up.
import { mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import { join } from 'node:path';
import {
  backendURL, cleanDatabase, e2eDir, examplesDir, filesURL, log, packageVersion,
  runDir, serveFiles, startBackend, stopBackend, waitForBackend, waitForSettled,
} from './lib.mjs';

const components = 10000;
const groups = 1000;
const perFile = 500;
const types = ['service', 'website', 'library', 'documentation', 'tool'];
const lifecycles = ['production', 'experimental', 'deprecated'];

function generate(dir) {
  rmSync(dir, { recursive: true, force: true });
  mkdirSync(dir, { recursive: true });
  const targets = [];
  let docs = [];
  for (let g = 0; g < groups; g++) {
    docs.push(`apiVersion: backstage.io/v1alpha1
kind: Group
metadata:
  name: team-${g}
spec:
  type: team
  profile: {displayName: Team ${g}, email: team-${g}@speed.example}
  children: []
`);
  }
  writeFileSync(join(dir, 'groups.yaml'), docs.join('---\n'));
  targets.push('./groups.yaml');
  for (let f = 0; f * perFile < components; f++) {
    docs = [];
    for (let i = f * perFile; i < Math.min((f + 1) * perFile, components); i++) {
      docs.push(`apiVersion: backstage.io/v1alpha1
kind: Component
metadata:
  name: component-${String(i).padStart(5, '0')}
  description: Component number ${i}
  tags: [go, tier-${i % 3}]
  annotations:
    github.com/project-slug: speed/component-${i}
spec:
  type: ${types[i % types.length]}
  lifecycle: ${lifecycles[i % lifecycles.length]}
  owner: team-${i % groups}
`);
    }
    const name = `components-${String(f).padStart(2, '0')}.yaml`;
    writeFileSync(join(dir, name), docs.join('---\n'));
    targets.push(`./${name}`);
  }
  writeFileSync(
    join(dir, 'all.yaml'),
    `apiVersion: backstage.io/v1alpha1
kind: Location
metadata:
  name: speed-catalog
spec:
  targets:
${targets.map(t => `    - ${t}`).join('\n')}
`,
  );
}

function percentile(sorted, p) {
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))];
}

// Times GET path `n` times after `warm` untimed ones; pathFor(i) may vary it.
async function time(pathFor, { n, warm }) {
  const out = [];
  let bytes = 0;
  for (let i = 0; i < warm + n; i++) {
    const t0 = performance.now();
    const res = await fetch(backendURL + pathFor(i));
    const body = await res.arrayBuffer();
    const ms = performance.now() - t0;
    if (res.status !== 200) throw new Error(`${pathFor(i)}: ${res.status}`);
    if (i >= warm) {
      out.push(ms);
      bytes = body.byteLength;
    }
  }
  out.sort((a, b) => a - b);
  const round = x => Math.round(x * 10) / 10;
  return {
    requests: n,
    p50ms: round(percentile(out, 50)),
    p99ms: round(percentile(out, 99)),
    minms: round(out[0]),
    maxms: round(out[out.length - 1]),
    responseBytes: bytes,
  };
}

function rssMB(pid) {
  try {
    const m = /VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
    return m ? Math.round(Number(m[1]) / 1024) : undefined;
  } catch {
    return undefined;
  }
}

async function main() {
  const speedDir = join(runDir, 'speed-catalog');
  generate(speedDir);
  const db = await cleanDatabase();
  const files = await serveFiles({ '/examples/': examplesDir, '/speed/': speedDir });
  const backend = startBackend({
    locations: [`${filesURL}/examples/all.yaml`, `${filesURL}/examples/acme-corp.yaml`, `${filesURL}/speed/all.yaml`],
    logFile: join(runDir, 'backend-speed.log'),
  });
  const loadBefore = os.loadavg();
  try {
    await waitForBackend(backend);
    const started = Date.now();
    const settled = await waitForSettled({ minEntities: components + groups, stablePolls: 5 });
    const ingestSeconds = Math.round((Date.now() - started) / 100) / 10;
    log(`settled after ${ingestSeconds} s:`, JSON.stringify(settled));
    const idleRSS = rssMB(backend.pid);

    const figures = {};
    log('by-query by owner');
    figures['by-query?filter=kind=component,relations.ownedBy=group:default/team-K&limit=100'] = await time(
      i => `/api/catalog/entities/by-query?filter=kind=component,relations.ownedBy=group:default/team-${(i * 37) % groups}&limit=100`,
      { n: 200, warm: 20 },
    );
    log('all components');
    figures['GET /entities?filter=kind=component'] = await time(() => '/api/catalog/entities?filter=kind=component', { n: 10, warm: 2 });
    log('ordered by spec.type');
    figures['by-query?filter=kind=component&orderField=spec.type,asc&limit=100'] = await time(
      () => '/api/catalog/entities/by-query?filter=kind=component&orderField=spec.type,asc&limit=100',
      { n: 50, warm: 5 },
    );
    log('facets');
    figures['entity-facets?facet=kind'] = await time(() => '/api/catalog/entity-facets?facet=kind', { n: 50, warm: 5 });
    figures['entity-facets?facet=spec.type'] = await time(() => '/api/catalog/entity-facets?facet=spec.type', { n: 50, warm: 5 });
    log('by-name');
    figures['by-name/component/default/component-NNNNN'] = await time(
      i => `/api/catalog/entities/by-name/component/default/component-${String((i * 7919) % components).padStart(5, '0')}`,
      { n: 500, warm: 50 },
    );

    const out = {
      comment: 'Written by e2e/backstage/speed.mjs from a real Backstage backend; see e2e/backstage/README.md. Latencies are wall-clock times of one keep-alive client (Node fetch) on the same machine, body read included.',
      recordedAt: new Date().toISOString().slice(0, 10),
      machine: {
        cpu: os.cpus()[0]?.model,
        cores: os.cpus().length,
        memoryGB: Math.round(os.totalmem() / 2 ** 30),
        os: `${os.type()} ${os.release()}`,
        loadAverageBefore: loadBefore.map(x => Math.round(x * 100) / 100),
        loadAverageAfter: os.loadavg().map(x => Math.round(x * 100) / 100),
        note: 'shared with other work; the load averages say how busy it was',
      },
      backstage: {
        node: process.version,
        '@backstage/backend-defaults': packageVersion('@backstage/backend-defaults'),
        '@backstage/plugin-catalog-backend': packageVersion('@backstage/plugin-catalog-backend'),
        database: `PostgreSQL ${db.serverVersion}`,
        collation: db.collation,
      },
      catalog: { components, groups, plusExamples: true, entities: settled.entities },
      ingestSeconds,
      backendRSSMBAfterIngest: idleRSS,
      backendRSSMBAfterQueries: rssMB(backend.pid),
      figures,
    };
    writeFileSync(join(e2eDir, 'speed.json'), `${JSON.stringify(out, null, 1)}\n`);
    log(`wrote ${join(e2eDir, 'speed.json')}`);
  } finally {
    await stopBackend(backend);
    files.close();
  }
}

main().catch(e => {
  console.error(e);
  process.exit(1);
});
