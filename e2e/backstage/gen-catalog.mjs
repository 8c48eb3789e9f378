// Writes the fixture catalog under catalog/ (committed; rerun only to change
// it): a few hundred entities of every kind, chosen to exercise the answers
// issue 16 lists — fields some entities lack (spec.type, metadata.title),
// namespaces (omitted, explicit "default", a second namespace reusing names),
// relation lists in no particular order, mixed case, unicode, `%` and `_` in
// text, entities without relations, and placeholders.
//
//   node gen-catalog.mjs            (from e2e/backstage)
//
// The output is deterministic: the same script writes the same files.
import { mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import YAML from 'yaml';

const here = dirname(fileURLToPath(import.meta.url));
const out = join(process.env.E2E_DIR ?? here, 'catalog');

// mulberry32: a small seeded generator, so the fixture never changes by accident.
function rng(seed) {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}
const rand = rng(16);
const pick = list => list[Math.floor(rand() * list.length)];
const chance = p => rand() < p;
function sample(list, n) {
  const copy = [...list];
  const res = [];
  while (res.length < n && copy.length) {
    res.push(copy.splice(Math.floor(rand() * copy.length), 1)[0]);
  }
  return res;
}
const pad = (n, w = 3) => String(n).padStart(w, '0');

const nouns = ['ledger', 'billing', 'checkout', 'search', 'catalog', 'inventory', 'payments', 'shipping',
  'profile', 'session', 'notify', 'render', 'gateway', 'router', 'metrics', 'audit', 'export', 'import',
  'pricing', 'quota', 'ranking', 'review', 'tracking', 'wallet'];
const adjectives = ['fast', 'quiet', 'blue', 'early', 'solid', 'brave', 'lucky', 'amber', 'polar', 'rapid'];
const tags = ['java', 'go', 'python', 'typescript', 'rust', 'grpc', 'kafka', 'postgres', 'c++', 'c#', 'legacy'];
const lifecycles = ['production', 'experimental', 'deprecated'];
const firstNames = ['Ada', 'Björn', 'Chloé', 'Dmitri', 'Eiko', 'Farah', 'Gustav', 'Hana', 'Ignacio', 'Jürgen',
  'Kofi', 'Léa', 'Mateo', 'Nadia', 'Oğuz', 'Priya', 'Quentin', 'Rósa', 'Søren', 'Tomás'];
const lastNames = ['Ångström', 'Bauer', 'Castillo', 'Dubois', 'Eriksen', 'Fujita', 'García', 'Horváth',
  'Ivanova', 'Jensen', 'Kowalski', 'López', 'Müller', 'Nguyen', "O'Brien", 'Petrović'];
const descriptions = [
  'Handles the %s flow for every region.',
  'Keeps 100% of %s requests under 50 ms (p99).',
  'Reads the snake_case %s_events topic and writes summaries.',
  'Zahlungsüberwachung für %s – naïve café edition.',
  'Serves %s data to the web app; owned jointly with the data team.',
  '%s: batch jobs (nightly) and their retries.',
];

const docs = {}; // file (relative to catalog/) -> list of entity documents
function add(file, entity) {
  (docs[file] ??= []).push(entity);
}

// --- Groups -----------------------------------------------------------------
const groupCount = 40;
const groups = Array.from({ length: groupCount }, (_, i) => `team-${pad(i, 2)}`);
const users = Array.from({ length: 80 }, (_, i) => `user-${pad(i, 2)}`);
const membersOf = Object.fromEntries(groups.map(g => [g, []]));
const memberOfUser = Object.fromEntries(users.map(u => [u, []]));
for (const u of users.slice(0, 76)) { // user-76..79 belong to no group
  for (const g of sample(groups, 1 + Math.floor(rand() * 3))) {
    if (chance(0.5)) membersOf[g].push(u); // declared on the group
    else memberOfUser[u].push(g); // declared on the user
  }
}
add('org/departments.yaml', {
  apiVersion: 'backstage.io/v1alpha1',
  kind: 'Group',
  metadata: { name: 'engineering', title: 'Engineering', description: 'All engineering teams' },
  spec: {
    type: 'department',
    profile: { displayName: 'Engineering', email: 'eng@example.com' },
    // Deliberately not in sorted order.
    children: ['platform', 'product', 'data'],
  },
});
for (const [name, kids] of [
  ['platform', groups.slice(0, 14)],
  ['product', groups.slice(14, 30)],
  ['data', groups.slice(30, 40)],
]) {
  add('org/departments.yaml', {
    apiVersion: 'backstage.io/v1alpha1',
    kind: 'Group',
    metadata: { name, description: `The ${name} department` },
    spec: { type: 'department', parent: 'engineering', children: [...kids].reverse() },
  });
}
groups.forEach((g, i) => {
  const dept = i < 14 ? 'platform' : i < 30 ? 'product' : 'data';
  const spec = { type: i % 7 === 0 ? 'sub-department' : 'team', parent: dept, children: [] };
  if (i % 5 === 0) spec.profile = { displayName: `${pick(adjectives)} ${pick(nouns)} crew`.replace(/^./, c => c.toUpperCase()) };
  if (i % 9 === 3) spec.profile = { displayName: `Équipe ${pad(i, 2)} — Ünïcödé`, email: `team-${pad(i, 2)}@example.com` };
  if (membersOf[g].length) spec.members = [...membersOf[g]].sort().reverse();
  const metadata = { name: g };
  if (i % 4 === 0) metadata.namespace = 'default';
  if (i % 6 === 1) metadata.title = `Team ${pad(i, 2)}`;
  add(`org/teams-${i < 20 ? 'a' : 'b'}.yaml`, { apiVersion: 'backstage.io/v1alpha1', kind: 'Group', metadata, spec });
});
// A group that relates to nothing at all: relations must still be [].
add('org/teams-b.yaml', {
  apiVersion: 'backstage.io/v1alpha1',
  kind: 'Group',
  metadata: { name: 'lonely-group', description: 'No parent, no children, no members' },
  spec: { type: 'team', children: [] },
});

// --- Users ------------------------------------------------------------------
users.forEach((u, i) => {
  const spec = { profile: { displayName: `${firstNames[i % firstNames.length]} ${lastNames[(i * 7) % lastNames.length]}`, email: `${u}@example.com` } };
  // Backstage requires spec.memberOf on a User (an empty list will do).
  spec.memberOf = [...memberOfUser[u]].sort().reverse();
  const metadata = { name: u };
  if (i % 10 === 0) metadata.namespace = 'default';
  add(`org/users-${i < 40 ? 'a' : 'b'}.yaml`, { apiVersion: 'backstage.io/v1alpha1', kind: 'User', metadata, spec });
});
add('org/users-b.yaml', {
  apiVersion: 'backstage.io/v1alpha1',
  kind: 'User',
  metadata: { name: 'nobody', description: 'In no group, owns nothing' },
  spec: { memberOf: [] },
});
// Invalid in Backstage: a User needs spec.memberOf.
add('invalid/no-member-of.yaml', {
  apiVersion: 'backstage.io/v1alpha1',
  kind: 'User',
  metadata: { name: 'no-member-of' },
  spec: { profile: { displayName: 'No memberOf' } },
});

// --- Domains and systems ----------------------------------------------------
const domains = ['commerce', 'logistics', 'insight', 'identity'];
domains.forEach((d, i) => {
  const spec = { owner: groups[i * 3] };
  if (i !== 2) spec.type = i === 3 ? 'platform' : 'product-area'; // one without a type
  add('systems.yaml', { apiVersion: 'backstage.io/v1alpha1', kind: 'Domain', metadata: { name: d, description: `The ${d} domain` }, spec });
});
const systems = Array.from({ length: 12 }, (_, i) => `${nouns[i]}-system`);
systems.forEach((s, i) => {
  const spec = { owner: i % 4 === 0 ? `group:${groups[i]}` : groups[i] };
  if (i % 3 !== 2) spec.domain = domains[i % domains.length];
  if (i % 5 === 1) spec.type = 'product'; // most systems have no type
  const metadata = { name: s, description: `${nouns[i]} system` };
  if (i % 4 === 1) metadata.tags = sample(tags, 2);
  add('systems.yaml', { apiVersion: 'backstage.io/v1alpha1', kind: 'System', metadata, spec });
});

// --- APIs -------------------------------------------------------------------
const apiTypes = ['openapi', 'grpc', 'graphql', 'asyncapi'];
const apis = Array.from({ length: 40 }, (_, i) => `${nouns[i % nouns.length]}-api${i >= nouns.length ? '-v2' : ''}`);
apis.forEach((a, i) => {
  const type = apiTypes[i % apiTypes.length];
  const spec = {
    type,
    lifecycle: lifecycles[i % 3],
    owner: groups[(i * 3) % groupCount],
    definition: `${type} definition of ${a}\n`,
  };
  if (i % 3 !== 0) spec.system = systems[i % systems.length];
  if (i === 5) spec.definition = { $text: '../defs/render-api.graphql' };
  if (i === 6) spec.definition = { $text: './defs/gateway-api.txt' };
  const metadata = { name: a, description: pick(descriptions).replace('%s', a) };
  if (i % 2 === 0) metadata.tags = sample(['rest', 'internal', 'public', 'grpc', 'events'], 1 + (i % 3));
  if (i % 8 === 0) metadata.title = `${a.toUpperCase()} (v${1 + (i % 3)})`;
  add(`apis/apis-${i % 2}.yaml`, { apiVersion: 'backstage.io/v1alpha1', kind: 'API', metadata, spec });
});

// --- Resources --------------------------------------------------------------
const resourceTypes = ['database', 's3-bucket', 'queue'];
const resources = Array.from({ length: 20 }, (_, i) => `${nouns[(i * 5) % nouns.length]}-${resourceTypes[i % 3].replace('s3-bucket', 'bucket')}`);
resources.forEach((r, i) => {
  const spec = { type: resourceTypes[i % 3], owner: groups[(i * 7) % groupCount] };
  if (i % 2 === 0) spec.system = systems[i % systems.length];
  add('resources.yaml', { apiVersion: 'backstage.io/v1alpha1', kind: 'Resource', metadata: { name: r, description: `${resourceTypes[i % 3]} ${r}` }, spec });
});

// --- Components -------------------------------------------------------------
const componentTypes = ['service', 'service', 'service', 'website', 'library', 'library'];
const components = [];
for (let i = 0; i < 300; i++) {
  const type = componentTypes[i % componentTypes.length];
  const prefix = type === 'service' ? 'svc' : type === 'website' ? 'web' : 'lib';
  components.push({ name: `${prefix}-${nouns[i % nouns.length]}-${pad(i)}`, type, i });
}
const libs = components.filter(c => c.type === 'library').map(c => c.name);
for (const c of components) {
  const { i } = c;
  const metadata = { name: c.name };
  if (i % 5 === 0) metadata.namespace = 'default';
  metadata.description = pick(descriptions).replace('%s', nouns[i % nouns.length]);
  if (i % 3 === 0) metadata.title = `${pick(adjectives)} ${nouns[i % nouns.length]} ${pad(i)}`.replace(/^./, ch => ch.toUpperCase());
  if (i % 17 === 0) metadata.title = `Überblick ${pad(i)} — ${pick(nouns)}`;
  if (!chance(0.2)) metadata.tags = sample(tags, 1 + Math.floor(rand() * 3));
  if (i % 4 === 0) metadata.labels = { tier: String(1 + (i % 3)) };
  if (i % 6 === 0) metadata.annotations = { 'github.com/project-slug': `acme/${c.name}` };
  if (i % 25 === 0) metadata.links = [{ url: `https://docs.example.com/${c.name}`, title: 'Docs' }];
  let owner;
  switch (i % 6) {
    case 0: owner = groups[i % groupCount]; break;
    case 1: owner = `group:${groups[i % groupCount]}`; break;
    case 2: owner = `group:default/${groups[i % groupCount]}`; break;
    case 3: owner = `user:${users[i % users.length]}`; break;
    default: owner = groups[(i * 11) % groupCount];
  }
  const spec = { type: c.type, lifecycle: lifecycles[i % 3], owner };
  if (i % 10 !== 9) spec.system = systems[i % systems.length];
  if (c.type === 'service') {
    if (i % 2 === 0) spec.providesApis = sample(apis, 1 + (i % 3)).sort().reverse();
    if (i % 3 === 0) spec.consumesApis = sample(apis, 1 + (i % 4)).sort().reverse();
  }
  if (i % 4 === 1) {
    const deps = [...sample(libs, 1 + (i % 3)).map(l => `component:${l}`), ...(i % 8 === 1 ? [`resource:${resources[i % resources.length]}`] : [])];
    spec.dependsOn = deps.sort().reverse();
  }
  if (c.type === 'library' && i % 12 === 4) spec.subcomponentOf = components[(i + 6) % 300].name;
  add(`components/batch-${pad(Math.floor(i / 25), 2)}.yaml`, { apiVersion: 'backstage.io/v1alpha1', kind: 'Component', metadata, spec });
}

// --- A second namespace, reusing names --------------------------------------
add('other-namespace.yaml', {
  apiVersion: 'backstage.io/v1alpha1',
  kind: 'Group',
  metadata: { name: 'team-00', namespace: 'other', description: 'Same name as group:default/team-00' },
  spec: { type: 'team', children: [], members: ['user:default/user-01'] },
});
add('other-namespace.yaml', {
  apiVersion: 'backstage.io/v1alpha1',
  kind: 'System',
  metadata: { name: 'ledger-system', namespace: 'other' },
  spec: { owner: 'team-00' },
});
for (const c of components.slice(0, 10)) {
  add('other-namespace.yaml', {
    apiVersion: 'backstage.io/v1alpha1',
    kind: 'Component',
    metadata: { name: c.i < 5 ? c.name : `other-${c.name}`, namespace: 'other', description: `Copy of ${c.name} in namespace other` },
    spec: { type: c.type, lifecycle: 'production', owner: 'team-00', system: 'ledger-system', providesApis: c.i < 2 ? ['other-api'] : undefined },
  });
}
add('other-namespace.yaml', {
  apiVersion: 'backstage.io/v1alpha1',
  kind: 'API',
  metadata: { name: 'other-api', namespace: 'other' },
  spec: { type: 'openapi', lifecycle: 'production', owner: 'group:default/team-01', definition: 'openapi: 3.0.0\n' },
});

// --- Edge cases ---------------------------------------------------------------
const edge = [
  { kind: 'Component', metadata: { name: 'MixedCase-Service', description: 'Upper-case letters in the name' },
    spec: { type: 'Service', lifecycle: 'production', owner: 'Team-01' } },
  { kind: 'Component', metadata: { name: 'UPPER-LIB', title: 'ZZZ last by title' },
    spec: { type: 'LIBRARY', lifecycle: 'Production', owner: 'group:default/TEAM-02' } },
  { kind: 'Component', metadata: { name: 'data_pipeline.v2', title: 'aaa first by title', description: 'Underscores and dots: snake_case and v2.0' },
    spec: { type: 'service', lifecycle: 'experimental', owner: 'team-03', dependsOn: ['component:upper-lib', 'component:MixedCase-Service'] } },
  { kind: 'Component', metadata: { name: 'percent-service', description: 'Literal 100% and 50%_off in text' },
    spec: { type: 'service', lifecycle: 'production', owner: 'team-04', tags: undefined } },
  { kind: 'Component', metadata: { name: 'unicode-service', title: 'Ünïcödé Sérvïcé 日本語', description: 'Grüße aus Köln — 東京 🚀' },
    spec: { type: 'website', lifecycle: 'production', owner: 'team-05' } },
  { kind: 'Component', metadata: { name: 'empty-tags', tags: [], labels: {}, annotations: {} },
    spec: { type: 'service', lifecycle: 'production', owner: 'team-06' } },
  { kind: 'Component', metadata: { name: 'dangling-refs', description: 'Refers to entities that do not exist' },
    spec: { type: 'service', lifecycle: 'production', owner: 'group:ghost-team', system: 'ghost-system', providesApis: ['ghost-api'], dependsOn: ['resource:ghost-db'] } },
  { kind: 'Component', metadata: { name: 'dup-apis', description: 'Lists the same API twice' },
    spec: { type: 'service', lifecycle: 'production', owner: 'team-07', providesApis: ['search-api', 'billing-api', 'search-api'] } },
  { kind: 'Component', metadata: { name: 'cross-ns-owner', description: 'Owned by a group in namespace other' },
    spec: { type: 'library', lifecycle: 'experimental', owner: 'group:other/team-00', system: 'other/ledger-system' } },
  { kind: 'API', metadata: { name: 'yaml-placeholder-api', description: 'Definition from a $yaml placeholder' },
    spec: { type: 'openapi', lifecycle: 'production', owner: 'team-08', definition: { $yaml: './defs/openapi-min.yaml.txt' } } },
  { kind: 'API', metadata: { name: 'json-placeholder-api', description: 'Definition from a $json placeholder' },
    spec: { type: 'asyncapi', lifecycle: 'production', owner: 'team-09', definition: { $json: './defs/asyncapi-min.json' } } },
  { kind: 'API', metadata: { name: 'missing-placeholder-api', description: 'Placeholder naming a file that does not exist' },
    spec: { type: 'openapi', lifecycle: 'production', owner: 'team-10', definition: { $text: './defs/no-such-file.txt' } } },
];
for (const e of edge) {
  add('edge-cases.yaml', { apiVersion: 'backstage.io/v1alpha1', ...e });
}
// Invalid in Backstage (a Component needs spec.owner), alone in its file so
// the file's other entities are not at stake.
add('invalid/no-owner.yaml', {
  apiVersion: 'backstage.io/v1alpha1',
  kind: 'Component',
  metadata: { name: 'no-owner-component' },
  spec: { type: 'service', lifecycle: 'production' },
});

// --- Write --------------------------------------------------------------------
rmSync(out, { recursive: true, force: true });
const files = Object.keys(docs).sort();
const dropUndefined = v => JSON.parse(JSON.stringify(v));
for (const file of files) {
  const p = join(out, file);
  mkdirSync(dirname(p), { recursive: true });
  const text = docs[file].map(d => YAML.stringify(dropUndefined(d), { lineWidth: 0 })).join('---\n');
  writeFileSync(p, `# Generated by e2e/backstage/gen-catalog.mjs; do not edit by hand.\n${text}`);
}
mkdirSync(join(out, 'defs'), { recursive: true });
mkdirSync(join(out, 'apis', 'defs'), { recursive: true });
writeFileSync(join(out, 'defs', 'render-api.graphql'), 'type Query {\n  render(id: ID!): String\n}\n');
writeFileSync(join(out, 'apis', 'defs', 'gateway-api.txt'), 'syntax = "proto3";\nservice Gateway { rpc Route (Req) returns (Res); }\n');
writeFileSync(join(out, 'defs', 'openapi-min.yaml.txt'), 'openapi: 3.0.0\ninfo:\n  title: Minimal\n  version: "1"\npaths: {}\n');
writeFileSync(join(out, 'defs', 'asyncapi-min.json'), '{"asyncapi": "2.6.0", "info": {"title": "Minimal", "version": "1"}, "channels": {}}\n');
writeFileSync(join(out, 'all.yaml'), `# Generated by e2e/backstage/gen-catalog.mjs; do not edit by hand.
# The root of the fixture catalog: Backstage reads it as a location and
# follows the targets; callboard import reads every file under catalog/.
${YAML.stringify({
  apiVersion: 'backstage.io/v1alpha1',
  kind: 'Location',
  metadata: { name: 'callboard-diff-fixtures', description: 'Fixture entities for the Backstage differential test' },
  spec: { targets: files.map(f => `./${f}`) },
})}`);
let n = 0;
for (const f of files) n += docs[f].length;
console.log(`wrote ${files.length} files, ${n} entities (plus the root Location) under ${out}`);
