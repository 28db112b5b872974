import type { Request } from 'restify';

/**
 * Who sent a request, for limits counted per client address. Without a reverse proxy in
 * front (`trustedProxies` 0) it is the TCP peer. Behind `trustedProxies` proxies, each of
 * which appends the address it received the request from to `X-Forwarded-For`, it is the
 * entry the outermost of them wrote: entries further left were written by the client and
 * are never believed (anyone can send them).
 */
export function clientAddressResolver(trustedProxies: number): (req: Request) => string {
  return (req) => {
    const peer = req.socket?.remoteAddress ?? 'unknown';
    if (trustedProxies === 0) return peer;
    const header = req.headers['x-forwarded-for'];
    const forwarded = (Array.isArray(header) ? header.join(',') : (header ?? ''))
      .split(',')
      .map((entry) => entry.trim())
      .filter(Boolean);
    return forwarded[forwarded.length - trustedProxies] ?? peer;
  };
}
