import { randomUUID } from 'node:crypto';
import { json, type Reply } from '../http/reply';

/**
 * Entra's OAuth error body: `error`, `error_description` starting with the AADSTS code,
 * `error_codes`, `timestamp`, `trace_id`, `correlation_id`, `error_uri`.
 */
export function entraError(status: number, error: string, aadsts: number, description: string, correlationId: string = randomUUID()): Reply {
  const traceId = randomUUID();
  const timestamp = new Date().toISOString().replace('T', ' ').replace(/\.\d+Z$/, 'Z');
  return json(status, {
    error,
    error_description: `AADSTS${aadsts}: ${description} Trace ID: ${traceId} Correlation ID: ${correlationId} Timestamp: ${timestamp}`,
    error_codes: [aadsts],
    timestamp,
    trace_id: traceId,
    correlation_id: correlationId,
    error_uri: `https://login.microsoftonline.com/error?code=${aadsts}`,
  });
}

export function tenantNotFound(tenant: string): Reply {
  return entraError(
    400,
    'invalid_tenant',
    90002,
    `Tenant '${tenant}' not found. Check to make sure you have the correct tenant ID and are signing into the correct cloud. Check with your subscription administrator, this may happen if there are no active subscriptions for the tenant.`,
  );
}
