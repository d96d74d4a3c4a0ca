// /openapi.json says which operations need a token, and the server behaves as
// it says: every operation is called without a token and with a bad one, and
// the answers (401 or not) must match its declared `security`.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { startTestServer, type TestServer } from '../support/servers.ts';
import { apiCall } from '../support/api.ts';

interface Schema {
  type?: string;
  const?: unknown;
  enum?: unknown[];
  anyOf?: Schema[];
  oneOf?: Schema[];
  properties?: Record<string, Schema>;
  required?: string[];
  minLength?: number;
  minimum?: number;
  pattern?: string;
  items?: Schema;
  minItems?: number;
  example?: unknown;
  examples?: unknown[];
}
interface Operation {
  security?: Array<Record<string, string[]>>;
  parameters?: Array<{ in: string; name: string; required?: boolean; example?: unknown; schema: Schema }>;
  requestBody?: { content: Record<string, { schema: Schema }> };
}
interface OpenApi {
  servers?: Array<{ url: string }>;
  security?: Operation['security'];
  paths: Record<string, Record<string, Operation>>;
  components: { securitySchemes: Record<string, unknown> };
}

const METHODS = ['get', 'put', 'post', 'delete', 'patch'];

let server: TestServer;
let doc: OpenApi;
before(async () => {
  // With an admin token, the operator endpoints need one too, and must say so.
  server = await startTestServer(['--admin-token', 'an-admin-token-of-at-least-32-bytes!']);
  doc = (await (await fetch(`${server.url}/openapi.json`)).json()) as OpenApi;
});
after(() => server?.stop());

/** The smallest value the schema accepts, so a request gets past validation to the handler. */
function sample(schema: Schema | undefined, where: string): unknown {
  if (schema === undefined) return undefined;
  if ('const' in schema) return schema.const;
  // A value the schema's author gave (OpenAPI 3.0 keeps the first of `examples` as `example`).
  if (schema.example !== undefined) return schema.example;
  if (schema.examples !== undefined) return schema.examples[0];
  if (schema.enum !== undefined) return schema.enum[0];
  const options = schema.anyOf ?? schema.oneOf;
  if (options !== undefined) return sample(options[0], where);
  switch (schema.type) {
    case 'object':
      return Object.fromEntries((schema.required ?? []).map((key) => [key, sample(schema.properties?.[key], `${where}.${key}`)]));
    case 'array':
      return Array.from({ length: schema.minItems ?? 0 }, () => sample(schema.items, `${where}[]`));
    case 'integer':
    case 'number':
      return schema.minimum ?? 1;
    case 'boolean':
      return false;
    case 'null':
      return null;
    case 'string': {
      const value = 'a'.repeat(Math.max(1, schema.minLength ?? 1));
      assert.ok(schema.pattern === undefined || new RegExp(schema.pattern).test(value), `no sample for ${where}: teach this test its pattern ${schema.pattern}`);
      return value;
    }
  }
  assert.fail(`no sample for ${where}: ${JSON.stringify(schema)}`);
}

/** The status of one call; the body is not read (an event stream never ends). */
async function statusOf(method: string, path: string, token: string | undefined, body: unknown): Promise<number> {
  const res = await apiCall(server.url, method.toUpperCase(), path, token, body);
  await res.body?.cancel();
  return res.status;
}

test('the document names its server', () => {
  assert.ok(Array.isArray(doc.servers) && doc.servers.length > 0, 'servers is set');
  for (const s of doc.servers) assert.equal(typeof s.url, 'string');
});

test('every operation that needs a token declares security, and no other does', async () => {
  const checked: string[] = [];
  for (const [template, item] of Object.entries(doc.paths)) {
    for (const method of METHODS) {
      const op = item[method];
      if (op === undefined) continue;
      const name = `${method.toUpperCase()} ${template}`;
      const params = new Map((op.parameters ?? []).filter((p) => p.in === 'path').map((p) => [p.name, p.schema]));
      const query = new URLSearchParams();
      for (const p of (op.parameters ?? []).filter((q) => q.in === 'query' && q.required === true)) {
        // The document moves a parameter's own example beside its schema.
        for (const value of [p.example ?? sample(p.schema, `${name} ?${p.name}`)].flat()) query.append(p.name, String(value));
      }
      const path = template.replace(/\{(\w+)\}/g, (_, key: string) => encodeURIComponent(String(sample(params.get(key), `${name} {${key}}`)))) + (query.size > 0 ? `?${query}` : '');
      const body = sample(op.requestBody?.content['application/json']?.schema, `${name} body`);
      const security = op.security ?? doc.security ?? [];
      for (const requirement of security) {
        for (const scheme of Object.keys(requirement)) assert.ok(scheme in doc.components.securitySchemes, `${name}: unknown scheme ${scheme}`);
      }
      const optional = security.some((requirement) => Object.keys(requirement).length === 0);
      const withoutToken = await statusOf(method, path, undefined, body);
      const badToken = await statusOf(method, path, 'not-a-token', body);
      if (security.length === 0) {
        assert.notEqual(withoutToken, 401, `${name} answers 401 without a token but declares no security`);
        assert.notEqual(badToken, 401, `${name} refuses a bad bearer token but declares no security`);
      } else {
        assert.equal(badToken, 401, `${name} declares security but accepts a bad bearer token (${badToken})`);
        if (optional) assert.notEqual(withoutToken, 401, `${name} declares its token optional but answers 401 without one`);
        else assert.equal(withoutToken, 401, `${name} declares security but answers ${withoutToken} without a token`);
      }
      checked.push(name);
    }
  }
  // The document is not empty, and the route that prompted this test is in it.
  assert.ok(checked.includes('POST /api/irc/token'), checked.join('\n'));
  assert.deepEqual(doc.paths['/metrics']?.get?.security, [{ adminToken: [] }]);
  assert.ok(checked.length > 20, checked.join('\n'));
});
