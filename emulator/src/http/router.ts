import type { EmulatorRequest } from './request';
import type { Reply } from './reply';

export type Handler = (request: EmulatorRequest) => Reply | Promise<Reply>;

interface Route<H> {
  method: string;
  pattern: RegExp;
  names: string[];
  /** A stable name for counters, e.g. `GET /v1.0/users/{id}`. */
  template: string;
  handler: H;
}

export interface RouteMatch<H = Handler> {
  handler: H;
  params: Record<string, string>;
  template: string;
}

/**
 * A small path router: `/v1.0/groups/{id}/members` style templates, matched in the order
 * they were added. Segments are decoded; a `{name*}` segment swallows the rest of the path.
 */
export class Router<H = Handler> {
  private readonly routes: Array<Route<H>> = [];

  add(method: string, template: string, handler: H): this {
    const names: string[] = [];
    const source = template
      .split('/')
      .map((segment) => {
        const m = /^\{(\w+)(\*?)\}$/.exec(segment);
        if (!m) return segment.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
        names.push(m[1]!);
        return m[2] ? '(.+)' : '([^/]+)';
      })
      .join('/');
    this.routes.push({ method, pattern: new RegExp(`^${source}/?$`, 'i'), names, template, handler });
    return this;
  }

  get(template: string, handler: H): this {
    return this.add('GET', template, handler);
  }

  post(template: string, handler: H): this {
    return this.add('POST', template, handler);
  }

  match(method: string, pathname: string): RouteMatch<H> | 'method-not-allowed' | undefined {
    let pathMatched = false;
    for (const route of this.routes) {
      const m = route.pattern.exec(pathname);
      if (!m) continue;
      pathMatched = true;
      if (route.method !== method) continue;
      const params: Record<string, string> = {};
      route.names.forEach((name, i) => {
        const raw = m[i + 1] ?? '';
        try {
          params[name] = decodeURIComponent(raw);
        } catch {
          params[name] = raw;
        }
      });
      return { handler: route.handler, params, template: `${method} ${route.template}` };
    }
    return pathMatched ? 'method-not-allowed' : undefined;
  }
}
