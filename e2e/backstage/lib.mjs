// What record.mjs and speed.mjs share: a clean database, a static file server
// for the catalog, the Backstage backend, and waiting until its catalog has
// settled. Run through run.sh, which sets the environment below.
import { spawn } from 'node:child_process';
import { createReadStream, createWriteStream, readFileSync, statSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:http';
import { createRequire } from 'node:module';
import { dirname, join, normalize, resolve, sep } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { fileURLToPath } from 'node:url';

const require = createRequire(import.meta.url);
const pg = require('pg');

export const runDir = dirname(fileURLToPath(import.meta.url)); // where run.sh copied the scripts
export const e2eDir = resolve(process.env.E2E_DIR ?? runDir); // e2e/backstage in the repository
export const examplesDir = resolve(
  process.env.EXAMPLES_DIR ?? join(e2eDir, '..', '..', '..', 'shared', 'testdata', 'backstage', 'packages', 'catalog-model', 'examples'),
);
export const backendPort = Number(process.env.BACKSTAGE_PORT ?? 17007);
export const filesPort = Number(process.env.FILES_PORT ?? 17008);
export const backendURL = `http://127.0.0.1:${backendPort}`;
// The catalog is served over HTTP and registered as `url` locations, not
// `file` ones: Backstage resolves relative placeholders ($text: ./x.yaml)
// only against a URL (with a file location the example APIs petstore and
// petstore-webhook are refused), and a catalog read from GitHub is read
// through URLs too. The port is fixed so the recording does not depend on it.
export const filesURL = `http://127.0.0.1:${filesPort}`;

export const pgConfig = {
  host: process.env.PGHOST ?? '127.0.0.1',
  port: Number(process.env.PGPORT ?? 55432),
  user: process.env.PGUSER ?? 'postgres',
  password: process.env.PGPASSWORD ?? undefined,
};
const catalogDatabase = 'backstage_plugin_catalog';

export function log(...args) {
  console.error(`[${new Date().toISOString().slice(11, 19)}]`, ...args);
}

// Drops the catalog's database so the backend starts from nothing.
export async function cleanDatabase() {
  const client = new pg.Client({ ...pgConfig, database: 'postgres' });
  await client.connect();
  try {
    const { rows } = await client.query(`SELECT datname FROM pg_database WHERE datname LIKE 'backstage_plugin_%'`);
    for (const { datname } of rows) {
      await client.query(`DROP DATABASE "${datname}" WITH (FORCE)`);
    }
    const v = await client.query('SHOW server_version');
    const c = await client.query(`SELECT datcollate FROM pg_database WHERE datname = 'postgres'`);
    return { serverVersion: v.rows[0].server_version, collation: c.rows[0].datcollate };
  } finally {
    await client.end();
  }
}

// Serves roots ({'/examples/': dir, ...}) read-only over HTTP.
export function serveFiles(roots) {
  const server = createServer((req, res) => {
    const path = decodeURIComponent(new URL(req.url, 'http://x').pathname);
    for (const [prefix, dir] of Object.entries(roots)) {
      if (!path.startsWith(prefix)) continue;
      const file = normalize(join(dir, path.slice(prefix.length)));
      if (!file.startsWith(dir + sep)) break;
      try {
        if (!statSync(file).isFile()) break;
      } catch {
        break;
      }
      res.writeHead(200, { 'content-type': 'text/plain; charset=utf-8' });
      createReadStream(file).pipe(res);
      return;
    }
    res.writeHead(404, { 'content-type': 'text/plain' });
    res.end('not found\n');
  });
  return new Promise((ok, fail) => {
    server.once('error', fail);
    server.listen(filesPort, '127.0.0.1', () => ok(server));
  });
}

function yamlString(s) {
  return JSON.stringify(s); // JSON strings are YAML strings
}

// Starts the backend with the committed app-config.yaml plus a runtime file
// naming the port, the database and the locations. Returns the child
// process; its output goes to logFile.
export function startBackend({ locations, logFile }) {
  const runtime = join(runDir, 'app-config.runtime.yaml');
  writeFileSync(
    runtime,
    `# Written by lib.mjs for this run.
backend:
  baseUrl: ${yamlString(backendURL)}
  listen:
    host: 127.0.0.1
    port: ${backendPort}
  database:
    client: pg
    connection:
      host: ${yamlString(pgConfig.host)}
      port: ${pgConfig.port}
      user: ${yamlString(pgConfig.user)}
${pgConfig.password ? `      password: ${yamlString(pgConfig.password)}\n` : ''}  reading:
    allow:
      - host: ${yamlString(`127.0.0.1:${filesPort}`)}
catalog:
  locations:
${locations.map(l => `    - type: url\n      target: ${yamlString(l)}`).join('\n')}
`,
  );
  const out = createWriteStream(logFile);
  const child = spawn(process.execPath, ['backend.mjs', '--config', 'app-config.yaml', '--config', runtime], {
    cwd: runDir,
    env: { ...process.env, NODE_ENV: 'production' },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  child.stdout.pipe(out);
  child.stderr.pipe(out);
  return child;
}

export async function stopBackend(child) {
  if (child.exitCode !== null) return;
  const exited = new Promise(ok => child.once('exit', ok));
  child.kill('SIGTERM');
  const timer = setTimeout(() => child.kill('SIGKILL'), 15000);
  await exited;
  clearTimeout(timer);
}

export async function waitForBackend(child, timeoutMs = 120000) {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (child.exitCode !== null) throw new Error(`the backend exited with code ${child.exitCode}; see its log`);
    try {
      const res = await fetch(`${backendURL}/api/catalog/entities?limit=1`);
      if (res.ok) return;
    } catch {
      // not listening yet
    }
    await sleep(500);
  }
  throw new Error('the backend did not answer within 2 minutes');
}

// Waits until the catalog has settled: every refresh_state row processed
// (successfully or with errors), nothing waiting to be stitched, every
// processed entity stitched, and all of that unchanged over `stablePolls`
// polls a second apart. Returns the final counts.
export async function waitForSettled({ minEntities = 1, timeoutMs = 30 * 60 * 1000, stablePolls = 4 } = {}) {
  const client = new pg.Client({ ...pgConfig, database: catalogDatabase });
  const deadline = Date.now() + timeoutMs;
  let connected = false;
  while (!connected) {
    try {
      await client.connect();
      connected = true;
    } catch (e) {
      if (Date.now() > deadline) throw e;
      await sleep(1000);
    }
  }
  try {
    let last = '';
    let same = 0;
    let lastLog = 0;
    while (Date.now() < deadline) {
      const { rows } = await client.query(`
        SELECT
          (SELECT count(*) FROM refresh_state)::int AS states,
          (SELECT count(*) FROM refresh_state WHERE result_hash IS NULL OR result_hash = '')::int AS unprocessed,
          (SELECT count(*) FROM refresh_state WHERE processed_entity IS NOT NULL)::int AS processed,
          (SELECT count(*) FROM refresh_state WHERE errors <> '' AND errors <> '[]')::int AS failed,
          (SELECT count(*) FROM stitch_queue)::int AS stitching,
          (SELECT count(*) FROM final_entities WHERE final_entity IS NOT NULL)::int AS entities`);
      const s = rows[0];
      const key = JSON.stringify(s);
      const done = s.states > 0 && s.unprocessed === 0 && s.stitching === 0 && s.entities === s.processed && s.entities >= minEntities;
      same = done && key === last ? same + 1 : 0;
      last = key;
      if (Date.now() - lastLog > 10000) {
        log('catalog:', key);
        lastLog = Date.now();
      }
      if (same >= stablePolls) return s;
      await sleep(1000);
    }
    throw new Error(`the catalog did not settle: ${last}`);
  } finally {
    await client.end();
  }
}

// Processing errors, per entity ref (the entities Backstage refused).
export async function processingErrors() {
  const client = new pg.Client({ ...pgConfig, database: catalogDatabase });
  await client.connect();
  try {
    const { rows } = await client.query(
      `SELECT entity_ref, errors FROM refresh_state WHERE errors <> '' AND errors <> '[]' ORDER BY entity_ref`,
    );
    return rows.map(r => {
      const errs = JSON.parse(r.errors);
      return { entityRef: r.entity_ref, errors: errs.map(e => `${e.name}: ${e.message}`) };
    });
  } finally {
    await client.end();
  }
}

export function packageVersion(name) {
  return JSON.parse(readFileSync(require.resolve(`${name}/package.json`), 'utf8')).version;
}
