// Runs the real @backstage/catalog-client against a callboard server and
// checks what it reads against what the server answers directly.
//
//   node check.mjs BASE_URL        (e.g. http://localhost:8080)
//
// CALLBOARD_API_TOKEN, when set, is sent as the bearer token. Exits 0 with a
// one-line summary, or 1 naming the first check that failed.
import assert from 'node:assert/strict';
import { createRequire } from 'node:module';
import { CatalogClient } from '@backstage/catalog-client';

const require = createRequire(import.meta.url);
const clientVersion = require('@backstage/catalog-client/package.json').version;

const base = process.argv[2];
if (!base) {
  console.error('usage: node check.mjs BASE_URL');
  process.exit(2);
}
const api = `${base.replace(/\/+$/, '')}/api/catalog`;
const token = process.env.CALLBOARD_API_TOKEN;

// As a Backstage app's fetchApi does: the global fetch, plus credentials.
const fetchApi = {
  fetch(input, init = {}) {
    const headers = new Headers(init.headers);
    if (token) headers.set('Authorization', `Bearer ${token}`);
    return fetch(input, { ...init, headers });
  },
};
const client = new CatalogClient({
  discoveryApi: { getBaseUrl: async () => api },
  fetchApi,
});

const missingRef = 'component:default/callboard-check-no-such-entity';

function refOf(e) {
  return `${e.kind}:${e.metadata.namespace ?? 'default'}/${e.metadata.name}`.toLowerCase();
}

function refs(entities) {
  return entities.map(refOf);
}

function sortedRefs(entities) {
  return refs(entities).sort();
}

function noDuplicates(list, what) {
  const seen = new Set();
  for (const r of list) {
    assert.ok(!seen.has(r), `${what}: ${r} served twice`);
    seen.add(r);
  }
}

function countBy(entities, valuesOf) {
  const counts = {};
  for (const e of entities) {
    for (const v of new Set(valuesOf(e))) counts[v] = (counts[v] ?? 0) + 1;
  }
  return counts;
}

function facetCounts(list) {
  return Object.fromEntries(list.map(({ value, count }) => [value, count]));
}

async function raw(path) {
  const res = await fetchApi.fetch(api + path);
  const text = await res.text();
  assert.equal(res.status, 200, `GET ${path}: status ${res.status}: ${text}`);
  return JSON.parse(text);
}

const done = [];
async function check(name, fn) {
  try {
    const note = await fn();
    done.push(note ? `${name} (${note})` : name);
  } catch (err) {
    console.error(`catalog-client ${clientVersion} against ${api}: check "${name}" failed:\n${err.stack ?? err}`);
    process.exit(1);
  }
}

// The ground truth: every entity, as GET /entities returns it.
let all;
await check('GET /entities', async () => {
  all = await raw('/entities');
  assert.ok(Array.isArray(all), 'GET /entities is not an array');
  assert.ok(all.length > 0, 'the catalog is empty; nothing to check');
  noDuplicates(refs(all), 'GET /entities');
  return `${all.length} entities`;
});

const ofKind = (...kinds) => all.filter(e => kinds.includes(e.kind.toLowerCase()));
const components = ofKind('component');
const apis = ofKind('api');
assert.ok(components.length >= 3, `want at least 3 components to check with, the catalog has ${components.length}`);
const byNameDesc = (a, b) => (a.metadata.name.toLowerCase() < b.metadata.name.toLowerCase() ? 1 : a.metadata.name.toLowerCase() > b.metadata.name.toLowerCase() ? -1 : 0);

await check('getEntityByRef', async () => {
  const target = components[0];
  assert.deepEqual(await client.getEntityByRef(refOf(target)), target);
  const shouted = { kind: target.kind.toUpperCase(), namespace: (target.metadata.namespace ?? 'default').toUpperCase(), name: target.metadata.name.toUpperCase() };
  assert.deepEqual(await client.getEntityByRef(shouted), target, 'a ref in another case');
  assert.equal(await client.getEntityByRef(missingRef), undefined, 'a missing entity');
});

await check('getEntities', async () => {
  const { items } = await client.getEntities({ filter: { kind: 'Component' } });
  assert.deepEqual(sortedRefs(items), sortedRefs(components), 'kind filter');

  const { items: either } = await client.getEntities({ filter: [{ kind: 'component' }, { kind: 'api' }] });
  assert.deepEqual(sortedRefs(either), sortedRefs([...components, ...apis]), 'two filters OR');

  const { items: slim } = await client.getEntities({ filter: { kind: 'component' }, fields: ['kind', 'metadata.name'] });
  for (const e of slim) {
    assert.deepEqual(Object.keys(e).sort(), ['kind', 'metadata'], `fields: ${JSON.stringify(e)}`);
    assert.deepEqual(Object.keys(e.metadata), ['name'], `fields: ${JSON.stringify(e)}`);
  }

  const desc = [...components].sort(byNameDesc);
  const { items: ordered } = await client.getEntities({ filter: { kind: 'component' }, order: { field: 'metadata.name', order: 'desc' } });
  assert.deepEqual(ordered.map(e => e.metadata.name.toLowerCase()), desc.map(e => e.metadata.name.toLowerCase()), 'order desc');

  const { items: page } = await client.getEntities({ filter: { kind: 'component' }, order: { field: 'metadata.name', order: 'desc' }, limit: 2, offset: 1 });
  assert.deepEqual(page.map(e => e.metadata.name.toLowerCase()), desc.slice(1, 3).map(e => e.metadata.name.toLowerCase()), 'limit and offset');
  return `${items.length} components`;
});

await check('queryEntities', async () => {
  const want = [...components, ...apis];
  const limit = 4;
  let res = await client.queryEntities({
    filter: [{ kind: 'component' }, { kind: 'api' }],
    orderFields: { field: 'metadata.name', order: 'desc' },
    limit,
  });
  const got = [...res.items];
  let pages = 1;
  assert.equal(res.totalItems, want.length, 'totalItems');
  assert.equal(res.pageInfo.prevCursor, undefined, 'prevCursor on the first page');
  while (res.pageInfo.nextCursor) {
    assert.ok(pages < 1000, 'cursors loop');
    res = await client.queryEntities({ cursor: res.pageInfo.nextCursor, limit });
    assert.ok(res.items.length > 0 && res.items.length <= limit, `page ${pages + 1} has ${res.items.length} items`);
    assert.ok(res.pageInfo.prevCursor, `page ${pages + 1} has no prevCursor`);
    assert.equal(res.totalItems, want.length, `totalItems on page ${pages + 1}`);
    got.push(...res.items);
    pages++;
  }
  noDuplicates(refs(got), 'queryEntities');
  assert.deepEqual(sortedRefs(got), sortedRefs(want), 'every entity once');
  for (let i = 1; i < got.length; i++) {
    assert.ok(byNameDesc(got[i - 1], got[i]) <= 0, `${refOf(got[i - 1])} before ${refOf(got[i])}: not by name desc`);
  }
  assert.equal(pages, Math.ceil(want.length / limit), 'pages');

  const term = components[0].metadata.name.slice(1, -1).toUpperCase();
  const text = await client.queryEntities({ fullTextFilter: { term, fields: ['metadata.name'] }, limit: 1000 });
  const textWant = all.filter(e => e.metadata.name.toLowerCase().includes(term.toLowerCase()));
  assert.deepEqual(sortedRefs(text.items), sortedRefs(textWant), `fullTextFilter ${term}`);
  return `${pages} pages, ${got.length} entities`;
});

await check('streamEntities', async () => {
  const users = ofKind('user');
  const got = [];
  for await (const page of client.streamEntities({ filter: { kind: 'user' }, pageSize: 5 })) {
    got.push(...page);
  }
  noDuplicates(refs(got), 'streamEntities');
  assert.deepEqual(sortedRefs(got), sortedRefs(users));
});

await check('getEntitiesByRefs', async () => {
  const [a, b] = components;
  const { items } = await client.getEntitiesByRefs({ entityRefs: [refOf(a), missingRef, refOf(b)] });
  assert.equal(items.length, 3);
  assert.deepEqual(items[0], a);
  assert.equal(items[1], undefined, 'a missing ref');
  assert.deepEqual(items[2], b);

  const { items: slim } = await client.getEntitiesByRefs({ entityRefs: [refOf(b), refOf(a)], fields: ['metadata.name'] });
  assert.deepEqual(slim, [{ metadata: { name: b.metadata.name } }, { metadata: { name: a.metadata.name } }], 'fields');

  const allRefs = refs(all);
  const { items: every } = await client.getEntitiesByRefs({ entityRefs: allRefs, filter: { kind: 'component' } });
  assert.deepEqual(every.map(e => (e ? refOf(e) : null)), all.map(e => (e.kind.toLowerCase() === 'component' ? refOf(e) : null)), 'filter');
});

await check('getEntityFacets', async () => {
  const { facets } = await client.getEntityFacets({ facets: ['kind', 'spec.type', 'metadata.tags'], filter: [{ kind: 'component' }, { kind: 'api' }] });
  const subset = [...components, ...apis];
  assert.deepEqual(facetCounts(facets.kind), countBy(subset, e => [e.kind]), 'kind');
  assert.deepEqual(facetCounts(facets['spec.type']), countBy(subset, e => (typeof e.spec?.type === 'string' ? [e.spec.type] : [])), 'spec.type');
  assert.deepEqual(facetCounts(facets['metadata.tags']), countBy(subset, e => e.metadata.tags ?? []), 'metadata.tags');
});

await check('filter predicates', async () => {
  // Backstage's predicate endpoints: POST /entities/by-query (and its
  // cursors), POST /entity-facets, by-refs with a query.
  const want = all.filter(e => ['component', 'api'].includes(e.kind.toLowerCase()) && e.spec?.type !== 'service');
  const query = { $all: [{ kind: { $in: ['component', 'api'] } }, { $not: { 'spec.type': 'service' } }] };
  let res = await client.queryEntities({ query, limit: 2 });
  const got = [...res.items];
  let pages = 1;
  while (res.pageInfo.nextCursor) {
    assert.ok(pages < 1000, 'cursors loop');
    res = await client.queryEntities({ cursor: res.pageInfo.nextCursor, limit: 2 });
    got.push(...res.items);
    pages++;
  }
  noDuplicates(refs(got), 'predicate pages');
  assert.deepEqual(sortedRefs(got), sortedRefs(want), '$all / $in / $not');
  const { facets } = await client.getEntityFacets({ facets: ['kind'], query });
  assert.deepEqual(facetCounts(facets.kind), countBy(want, e => [e.kind]), 'facets over a predicate');
  const { items } = await client.getEntitiesByRefs({ entityRefs: refs(all), query });
  assert.deepEqual(items.filter(Boolean).map(refOf).sort(), sortedRefs(want), 'by-refs with a predicate');
  return `${pages} pages, ${got.length} entities`;
});

await check('error body', async () => {
  // A predicate callboard cannot read: the client must read Backstage's error body.
  await assert.rejects(client.queryEntities({ query: { kind: { $regex: 'comp' } } }), err => {
    assert.equal(err.name, 'ResponseError', String(err));
    assert.equal(err.statusCode, 400);
    assert.equal(err.body?.error?.name, 'InputError', JSON.stringify(err.body));
    assert.equal(err.body?.response?.statusCode, 400);
    return true;
  });
});

console.log(`catalog-client ${clientVersion} against ${api}: ok: ${done.join(', ')}`);
