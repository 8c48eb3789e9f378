// How a request in requests.json is replayed, shared by record.mjs; the Go
// harness (catalog/httpapi/backstage_diff_test.go) does the same steps:
//
// - `{uid:KIND:NAMESPACE/NAME}` in a path is replaced by that entity's
//   metadata.uid, read through GET /entities/by-name first (uids differ by
//   nature between two catalogs);
// - each step of `follow` takes the previous answer's pageInfo.nextCursor
//   ("next") or prevCursor ("prev") and asks GET /entities/by-query?cursor=…
//   (plus `followQuery`), or takes the Link header's rel="next" target
//   ("link"); a step ending in `*` repeats while there is somewhere to go;
// - answers keep only the headers that matter (content-type, link), and
//   uids, etags and cursors become placeholders.

export const apiBase = '/api/catalog';

export async function resolvePlaceholders(path, uidOf) {
  const re = /\{uid:([^}]+)\}/g;
  let out = path;
  for (const m of path.matchAll(re)) {
    out = out.replace(m[0], encodeURIComponent(await uidOf(m[1])));
  }
  return out;
}

export function linkNext(link) {
  if (!link) return undefined;
  const m = /<([^>]*)>\s*;\s*rel="?next"?/.exec(link);
  if (!m) return undefined;
  // Backstage writes the target relative to the catalog API's base
  // ("/entities?…"); a target that already starts with it is taken as is.
  return m[1].startsWith(`${apiBase}/`) ? m[1] : apiBase + m[1];
}

export function stepURL(kind, raw, followQuery) {
  if (kind === 'link') {
    return linkNext(raw.headers?.link);
  }
  if (kind !== 'next' && kind !== 'prev') throw new Error(`unknown follow step ${kind}`);
  const cursor = raw.body?.pageInfo?.[`${kind}Cursor`];
  if (!cursor) return undefined;
  return `${apiBase}/entities/by-query?cursor=${encodeURIComponent(cursor)}${followQuery ? `&${followQuery}` : ''}`;
}

export function normalizeHeaders(headers) {
  const out = {};
  if (headers['content-type'] !== undefined) out['content-type'] = headers['content-type'];
  if (headers.link !== undefined) out.link = headers.link.replace(/([?&]after=)(?:<cursor>|[^&>]*)/g, '$1<cursor>');
  return out;
}

// Replaces metadata.uid, metadata.etag and pageInfo cursors with
// placeholders, everywhere in the answer.
export function normalizeBody(v) {
  if (Array.isArray(v)) return v.map(normalizeBody);
  if (v === null || typeof v !== 'object') return v;
  const out = {};
  for (const [k, val] of Object.entries(v)) {
    out[k] = normalizeBody(val);
  }
  if (out.metadata && typeof out.metadata === 'object' && !Array.isArray(out.metadata)) {
    if (typeof out.metadata.uid === 'string') out.metadata.uid = '<uid>';
    if (typeof out.metadata.etag === 'string') out.metadata.etag = '<etag>';
  }
  if (out.pageInfo && typeof out.pageInfo === 'object') {
    for (const c of ['nextCursor', 'prevCursor']) {
      if (typeof out.pageInfo[c] === 'string') out.pageInfo[c] = '<cursor>';
    }
  }
  return out;
}

// JSON with sorted keys, for comparing and sorting values.
export function canonical(v) {
  if (Array.isArray(v)) return `[${v.map(canonical).join(',')}]`;
  if (v !== null && typeof v === 'object') {
    return `{${Object.keys(v).sort().map(k => `${JSON.stringify(k)}:${canonical(v[k])}`).join(',')}}`;
  }
  return JSON.stringify(v);
}

function keyOf(item, orderKey) {
  return orderKey
    .map(path => {
      let v = item;
      for (const seg of path.split('.')) v = v && typeof v === 'object' ? v[seg] : undefined;
      return typeof v === 'string' ? v.toLowerCase() : canonical(v ?? null);
    })
    .join(' | ');
}

// Backstage breaks ties by a random id, so where a request's order is not
// compared (unordered, or ties of orderKey), the recording sorts the
// entities, so that recording twice writes the same file.
export function stabilize(req, body) {
  if (!req.unordered && !req.orderKey) return body;
  const list = Array.isArray(body) ? body : Array.isArray(body?.items) ? body.items : undefined;
  if (!list) return body;
  const sorted = [...list];
  if (req.unordered) {
    sorted.sort((a, b) => (canonical(a) < canonical(b) ? -1 : canonical(a) > canonical(b) ? 1 : 0));
  } else {
    // Sort within each run of equal keys only.
    let start = 0;
    for (let i = 1; i <= sorted.length; i++) {
      if (i === sorted.length || keyOf(sorted[i], req.orderKey) !== keyOf(sorted[start], req.orderKey)) {
        const run = sorted.slice(start, i).sort((a, b) => (canonical(a) < canonical(b) ? -1 : canonical(a) > canonical(b) ? 1 : 0));
        sorted.splice(start, run.length, ...run);
        start = i;
      }
    }
  }
  return Array.isArray(body) ? sorted : { ...body, items: sorted };
}
