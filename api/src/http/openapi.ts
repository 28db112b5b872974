import { z } from 'zod';
import { consoleAccess, problemSchema, routes, type RouteDefinition } from '../contract';

type JsonSchema = Record<string, unknown>;

const componentUri = (id: string) => `#/components/schemas/${id}`;

/** A zod schema as JSON Schema 2020-12 (OpenAPI 3.1's dialect), named schemas by reference. */
function toSchema(schema: z.ZodType, io: 'input' | 'output'): JsonSchema {
  const converted = z.toJSONSchema(schema, { target: 'draft-2020-12', io, unrepresentable: 'any' }) as JsonSchema;
  delete converted.$schema;
  delete converted.$defs; // named schemas live once, under components
  return tidy(converted) as JsonSchema;
}

/**
 * Points local `$defs` references at the shared components and drops what zod adds that
 * says nothing to a reader (safe-integer bounds, the long date-time regex beside `format`).
 */
function tidy(node: unknown): unknown {
  if (Array.isArray(node)) return node.map(tidy);
  if (node === null || typeof node !== 'object') return node;
  const out: JsonSchema = {};
  for (const [key, value] of Object.entries(node)) {
    if (key === '$ref' && typeof value === 'string') out[key] = value.replace(/^#\/\$defs\//, '#/components/schemas/');
    else if ((key === 'minimum' || key === 'maximum') && Math.abs(value as number) === Number.MAX_SAFE_INTEGER) continue;
    else if (key === 'pattern' && (node as JsonSchema).format === 'date-time') continue;
    else out[key] = tidy(value);
  }
  return out;
}

const openApiPath = (path: string) => path.replace(/:(\w+)/g, '{$1}');

function operation(id: string, route: RouteDefinition): JsonSchema {
  const parameters: JsonSchema[] = [];
  for (const match of route.path.matchAll(/:(\w+)/g)) {
    parameters.push({ name: match[1], in: 'path', required: true, schema: { type: 'string' } });
  }
  if (route.query) {
    for (const [name, field] of Object.entries(route.query.shape)) {
      const schema = toSchema(field as z.ZodType, 'input');
      parameters.push({ name, in: 'query', required: !(field as z.ZodType).safeParse(undefined).success, schema });
    }
  }
  const problem = { description: 'Problem', content: { 'application/problem+json': { schema: { $ref: componentUri('Problem') } } } };
  const responses: JsonSchema = {};
  switch (route.response.kind) {
    case 'json':
      responses[String(route.response.status)] = { description: route.summary, content: { 'application/json': { schema: toSchema(route.response.schema, 'output') } } };
      break;
    case 'empty':
      responses['204'] = { description: route.summary };
      break;
    case 'redirect':
      responses['302'] = { description: 'Redirect back to the tab with the outcome', headers: { Location: { schema: { type: 'string' } } } };
      break;
    case 'event-stream':
      responses['200'] = { description: route.summary, content: { 'text/event-stream': { schema: { type: 'string' } } } };
      break;
    case 'csv':
      responses['200'] = { description: route.summary, content: { 'text/csv': { schema: { type: 'string' } } } };
      break;
    case 'graph-webhook':
      responses['200'] = { description: 'Validation handshake: the decoded validationToken (at most 1,024 characters; 400 VALIDATION_TOKEN_TOO_LONG beyond)', content: { 'text/plain': { schema: { type: 'string' } } } };
      responses['202'] = { description: 'Notifications accepted' };
      responses['429'] = { ...problem, description: 'GRAPH_NOTIFICATIONS_THROTTLED: too many notifications a second; Retry-After says when to deliver again' };
      break;
  }
  if (route.access !== 'public') {
    responses['401'] = problem;
    responses['403'] = problem;
    responses['429'] = { ...problem, description: 'TOO_MANY_FAILED_SIGN_INS: this client address presented too many refused credentials; Retry-After says when to try again' };
  }
  responses.default = problem;
  return {
    operationId: id,
    summary: route.summary,
    ...(route.access === 'public' ? { security: [] } : route.access === 'bot' ? { security: [{ botSecret: [] }] } : route.botForPerson ? { security: [{ entraBearer: [] }, { botSecret: [] }] } : {}),
    ...(parameters.length > 0 ? { parameters } : {}),
    ...(route.body ? { requestBody: { required: true, content: { 'application/json': { schema: toSchema(route.body, 'input') } } } } : {}),
    ...(route.upload ? { requestBody: { required: true, description: `The file, at most ${route.upload.maxBytes} bytes`, content: { [route.upload.contentType]: { schema: { type: 'string', format: 'binary' } } } } } : {}),
    responses,
    'x-access': route.access,
    ...(id in consoleAccess ? { 'x-onboarding-console': consoleAccess[id as keyof typeof consoleAccess] } : {}),
    ...(route.botForPerson ? { 'x-bot-for-person': true } : {}),
  };
}

/** The OpenAPI 3.1 document of the api, generated from the contract's routes and schemas. */
export function buildOpenApiDocument(version: string): JsonSchema {
  const paths: Record<string, Record<string, JsonSchema>> = {};
  for (const [id, route] of Object.entries(routes) as Array<[string, RouteDefinition]>) {
    const path = openApiPath(route.path);
    paths[path] ??= {};
    paths[path][route.method] = operation(id, route);
  }
  const named = z.toJSONSchema(z.globalRegistry, { target: 'draft-2020-12', io: 'output', unrepresentable: 'any', uri: componentUri }) as {
    schemas: Record<string, JsonSchema>;
  };
  const components: Record<string, JsonSchema> = {};
  for (const [id, schema] of Object.entries(named.schemas)) {
    delete schema.$schema;
    components[id] = tidy(schema) as JsonSchema;
  }
  components.Problem ??= toSchema(problemSchema, 'output');
  return {
    openapi: '3.1.0',
    info: { title: 'Users Sync API', version, description: 'REST contract of the Users Sync admin tab and bot.' },
    servers: [{ url: '/' }],
    security: [{ entraBearer: [] }],
    paths,
    components: {
      schemas: components,
      securitySchemes: {
        entraBearer: { type: 'http', scheme: 'bearer', bearerFormat: 'JWT', description: 'Entra ID access token for the Users Sync API (Teams SSO or MSAL)' },
        botSecret: {
          type: 'apiKey',
          in: 'header',
          name: 'x-notify-secret',
          description: 'The secret shared by the api and the bot (NOTIFY_SECRET). Acting for a person, the bot adds x-bot-tenant-id and x-bot-user-object-id from the verified activity.',
        },
      },
    },
  };
}
