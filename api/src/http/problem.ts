import type { Request, Response } from 'restify';
import type { Problem } from '../contract';
import { requestId } from '../service';
import type { ApiProblem } from './api-problem';

export { ApiProblem } from './api-problem';

const titles: Record<number, string> = {
  400: 'Bad Request',
  401: 'Unauthorized',
  403: 'Forbidden',
  404: 'Not Found',
  409: 'Conflict',
  410: 'Gone',
  422: 'Unprocessable Content',
  429: 'Too Many Requests',
  500: 'Internal Server Error',
  502: 'Bad Gateway',
  503: 'Service Unavailable',
};

export function sendProblem(req: Request, res: Response, problem: ApiProblem): void {
  const body: Problem = {
    type: 'about:blank',
    title: titles[problem.status] ?? 'Error',
    status: problem.status,
    code: problem.code,
    detail: problem.detail,
    requestId: requestId(req),
    ...(problem.fields ? { fields: problem.fields } : {}),
  };
  for (const [name, value] of Object.entries(problem.headers ?? {})) res.setHeader(name, value);
  // A problem may name people (whom to ask): never kept by a cache.
  res.setHeader('cache-control', 'no-store');
  if (problem.status === 401) res.setHeader('www-authenticate', `Bearer error="invalid_token", error_description="${problem.code}"`);
  // Through restify's send, so restify knows the answer went out and adds nothing after it.
  res.send(problem.status, body, { 'content-type': 'application/problem+json' });
}
