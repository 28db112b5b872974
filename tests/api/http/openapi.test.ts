import { buildOpenApiDocument } from '@users-sync/api/http/openapi';
import { routes } from '@users-sync/api/contract/index';

describe('OpenAPI document', () => {
  const doc = buildOpenApiDocument('1.0.0') as {
    openapi: string;
    paths: Record<string, Record<string, { operationId: string; responses: Record<string, unknown>; security?: unknown[] }>>;
    components: { schemas: Record<string, unknown> };
  };

  it('is OpenAPI 3.1 and covers every route of the contract', () => {
    expect(doc.openapi).toBe('3.1.0');
    const operations = Object.values(doc.paths).flatMap((p) => Object.values(p).map((o) => o.operationId));
    expect(operations.sort()).toEqual(Object.keys(routes).sort());
  });

  it('names shared schemas once under components and refers to them', () => {
    expect(Object.keys(doc.components.schemas)).toEqual(expect.arrayContaining(['Problem', 'SyncRun', 'SyncConfiguration', 'Employee', 'Me']));
    expect(JSON.stringify(doc.paths['/api/sync/runs/{runId}'])).toContain('#/components/schemas/SyncRun');
  });

  it('documents the 401 and 403 problems on every protected route, and no auth on public ones', () => {
    for (const [path, methods] of Object.entries(doc.paths)) {
      for (const [method, op] of Object.entries(methods)) {
        const route = Object.values(routes).find((r) => r.method === method && r.path.replace(/:(\w+)/g, '{$1}') === path)!;
        if (route.access === 'public') expect(op.security).toEqual([]);
        else expect(Object.keys(op.responses)).toEqual(expect.arrayContaining(['401', '403']));
      }
    }
  });

  it('resolves every reference to a schema it defines', () => {
    const refs = [...JSON.stringify(doc).matchAll(/"\$ref":"#\/components\/schemas\/([^"]+)"/g)].map((m) => m[1]!);
    expect(refs.length).toBeGreaterThan(10);
    expect(refs.filter((name) => !(name in doc.components.schemas))).toEqual([]);
    expect(JSON.stringify(doc)).not.toContain('#/$defs/');
  });

  it('gives every operation an id, a summary and a success answer', () => {
    for (const methods of Object.values(doc.paths)) {
      for (const op of Object.values(methods) as Array<{ operationId: string; summary?: string; responses: Record<string, unknown> }>) {
        expect(op.summary).toBeTruthy();
        expect(Object.keys(op.responses).some((code) => /^2\d\d$|^302$/.test(code))).toBe(true);
      }
    }
  });
});
