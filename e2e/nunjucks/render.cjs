// Renders callboard's template corpus with the real nunjucks, configured as
// Backstage's scaffolder configures it, so that a Go test can compare
// callboard's renderer with it byte for byte.
//
//   node render.cjs < cases.json > results.json
//
// cases.json is a list of {mode, src, vars}:
//   mode "text":  src is template text, rendered as fetch:template renders a
//                 skeleton file or path, and as a step input's text;
//   mode "value": src is a step input (any JSON), rendered as the workflow
//                 runner renders step inputs: a string that is one ${{ }}
//                 keeps the expression's type, "" becomes undefined, and a
//                 string that fails to render is left as it was;
//   mode "if":    src is a step's if:, rendered as a value and then read as
//                 the runner reads it (an empty list is false).
// Each result is {out} (text), {value} or {undefined: true} (value), {ran}
// (if), or {error}. Where the runner keeps a string that does not render
// as it was written (and so would run a step on it), the result is an
// error: callboard refuses such a template instead.
//
// What is Backstage's here (plugin-scaffolder-backend: SecureTemplater,
// NunjucksWorkflowRunner, tasks/helper isTruthy; plugin-scaffolder-node:
// parseRepoUrl), read from its source:
// - nunjucks.configure({autoescape: false, tags: {variableStart: '${{',
//   variableEnd: '}}'}}), the other tags left as nunjucks has them;
// - the values are passed as JSON (JSON.parse(JSON.stringify(values)));
// - the filters parseRepoUrl, parseEntityRef, pick (lodash get) and
//   projectSlug run outside the sandbox: their result comes back through
//   JSON.stringify and JSON.parse, so a filter that returns undefined fails.
'use strict';

const fs = require('node:fs');
const nunjucks = require('nunjucks');
const { parseRepoUrl } = require('@backstage/plugin-scaffolder-node');
const { ScmIntegrations } = require('@backstage/integration');
const { ConfigReader } = require('@backstage/config');
const { parseEntityRef } = require('@backstage/catalog-model');
const get = require('lodash/get');

// The integrations a Backstage app has with no integrations config: github.com
// among them, which is what callboard's templates publish to.
const integrations = ScmIntegrations.fromConfig(new ConfigReader({}));

const filters = {
  parseRepoUrl: url => parseRepoUrl(url, integrations),
  parseEntityRef: (ref, context) => parseEntityRef(ref, context),
  pick: (obj, key) => get(obj, key),
  projectSlug: repoUrl => {
    const { owner, repo } = parseRepoUrl(repoUrl, integrations);
    return `${owner}/${repo}`;
  },
};

const tags = { variableStart: '${{', variableEnd: '}}' };
const env = nunjucks.configure({ autoescape: false, tags });
for (const [name, filter] of Object.entries(filters)) {
  env.addFilter(name, (...args) => JSON.parse(JSON.stringify(filter(...args))));
}

function renderTemplate(str, values) {
  return env.renderString(String(str), JSON.parse(JSON.stringify(values)));
}

// As the workflow runner asks: is the input one ${{ }} and nothing else?
function isSingleTemplateString(input) {
  const parsed = nunjucks.parser.parse(input, {}, { autoescape: false, tags });
  return (
    parsed.children.length === 1 &&
    !(parsed.children[0]?.children?.[0] instanceof nunjucks.nodes.TemplateData)
  );
}

// renderInput renders a step input as the runner does; failed counts the
// strings it left as they were because they did not render.
function renderInput(input, context, failed = { count: 0 }) {
  return JSON.parse(JSON.stringify(input), (_key, value) => {
    try {
      if (typeof value === 'string') {
        try {
          if (isSingleTemplateString(value)) {
            const wrapped = value.replace(/\${{(.+)}}/g, '${{ ( $1 ) | dump }}');
            const templated = renderTemplate(wrapped, context);
            if (templated === '') {
              return undefined;
            }
            return JSON.parse(templated);
          }
        } catch {
          // the runner logs this and renders the string as text
        }
        const templated = renderTemplate(value, context);
        if (templated === '') {
          return undefined;
        }
        return templated;
      }
    } catch {
      failed.count++;
      return value;
    }
    return value;
  });
}

function isTruthy(value) {
  return Array.isArray(value) ? value.length > 0 : !!value;
}

// Objects with their keys sorted, so Go can compare values as data.
function sorted(v) {
  if (Array.isArray(v)) {
    return v.map(x => (x === undefined ? null : sorted(x)));
  }
  if (v && typeof v === 'object') {
    return Object.fromEntries(Object.keys(v).sort().map(k => [k, sorted(v[k])]));
  }
  return v;
}

function run(c) {
  try {
    switch (c.mode) {
      case 'text':
        return { out: renderTemplate(c.src, c.vars) };
      case 'value': {
        const failed = { count: 0 };
        const v = renderInput(c.src, c.vars, failed);
        if (failed.count > 0) {
          return { error: `${failed.count} string(s) did not render and were kept as written` };
        }
        return v === undefined ? { undefined: true } : { value: sorted(v) };
      }
      case 'if': {
        const failed = { count: 0 };
        const ran = isTruthy(renderInput(c.src, c.vars, failed));
        return failed.count > 0 ? { error: 'the condition did not render and was kept as written' } : { ran };
      }
      default:
        return { error: `unknown mode ${c.mode}` };
    }
  } catch (e) {
    return { error: String(e && e.message ? e.message : e) };
  }
}

const cases = JSON.parse(fs.readFileSync(0, 'utf8'));
process.stdout.write(JSON.stringify({ nunjucks: require('nunjucks/package.json').version, results: cases.map(run) }));
