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
});
