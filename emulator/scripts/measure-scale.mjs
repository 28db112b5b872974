// Measures a large generated tenant: seeding time, listing, a delta round, and the RSS of the emulator process.
// Usage: npm run build -w emulator && node emulator/scripts/measure-scale.mjs [users]
import { spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { Agent, fetch } from 'undici';
const t0 = Date.now();
const child = spawn(process.execPath, [path.join(path.dirname(fileURLToPath(import.meta.url)), '..', 'dist', 'cli.js'), '--port', '0', '--users', process.argv[2] ?? '100000', '--groups', '200', '--seed', '9', '--log-level', 'warn'], { stdio: ['ignore', 'pipe', 'inherit'] });
let buf = '';
child.stdout.on('data', async (d) => {
  buf += d; if (!buf.includes('\n')) return;
  const ready = JSON.parse(buf.split('\n')[0]);
  const startMs = Date.now() - t0;
  const dispatcher = new Agent({ connect: { ca: readFileSync(ready.caPath, 'utf8') } });
  const f = (u, i = {}) => fetch(u, { dispatcher, ...i });
  const rss = () => Number(readFileSync(`/proc/${child.pid}/status`, 'utf8').match(/VmRSS:\s+(\d+)/)[1]) / 1024;
  console.log(`ready (seeded 100k) in ${startMs} ms; RSS ${rss().toFixed(0)} MB`);
  const tok = (await (await f(`${ready.url}/${ready.tenantId}/oauth2/v2.0/token`, { method: 'POST', body: new URLSearchParams({ client_id: ready.clientId, client_secret: ready.clientSecret, grant_type: 'client_credentials', scope: 'https://graph.microsoft.com/.default' }) })).json()).access_token;
  let url = `${ready.url}/v1.0/users?$top=999&$select=id,displayName,mail,accountEnabled,department,jobTitle,userPrincipalName`; let n = 0, pages = 0; const t1 = Date.now(); let peak = 0;
  while (url) { const r = await (await f(url, { headers: { authorization: `Bearer ${tok}` } })).json(); n += r.value.length; pages++; url = r['@odata.nextLink']; peak = Math.max(peak, rss()); }
  console.log(`listed ${n} users in ${pages} pages, ${Date.now() - t1} ms; peak RSS ${peak.toFixed(0)} MB`);
  url = `${ready.url}/v1.0/users/delta?$select=id,displayName,mail,accountEnabled`; n = 0; pages = 0; const t2 = Date.now();
  while (url) { const r = await (await f(url, { headers: { authorization: `Bearer ${tok}` } })).json(); n += r.value.length; pages++; url = r['@odata.nextLink']; if (!url) break; peak = Math.max(peak, rss()); }
  console.log(`delta initial round ${n} users in ${pages} pages, ${Date.now() - t2} ms; peak RSS ${peak.toFixed(0)} MB`);
  const g = await (await f(`${ready.url}/v1.0/groups?$filter=displayName eq 'arsen'`, { headers: { authorization: `Bearer ${tok}` } })).json();
  const t3 = Date.now(); url = `${ready.url}/v1.0/groups/${g.value[0].id}/transitiveMembers/microsoft.graph.user?$top=999&$select=id`; n = 0;
  while (url) { const r = await (await f(url, { headers: { authorization: `Bearer ${tok}` } })).json(); n += r.value.length; url = r['@odata.nextLink']; }
  console.log(`arsen transitive users ${n} in ${Date.now() - t3} ms; final RSS ${rss().toFixed(0)} MB`);
  child.kill('SIGTERM'); process.exit(0);
});
