#!/usr/bin/env node
// `npm run playground`: Microsoft 365 Agents Playground (`@microsoft/m365agentsplayground`,
// learn.microsoft.com/microsoft-365/agents-sdk/test-with-toolkit-project) in front of the
// local bot that `npm start` runs, chatting as a person of the emulator's demo tenant
// (admin@contoso.com by default), so commands reach the api as that person. Offline: the
// playground plays Teams and the Bot Connector on this machine.
//
//   npm run playground [-- --as <upn>] [--port <port>]
//   (tests and other tenants) --tenant <id> --object-id <id> --name <name> --email <email> --bot <messages url>
import { spawn } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import https from 'node:https';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { fileURLToPath } from 'node:url';
import { createRequire } from 'node:module';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const dataDir = process.env.DATA_DIR || path.join(root, 'data');

function fail(message) {
  process.stderr.write(`npm run playground: ${message}\n`);
  process.exit(1);
}

let options;
try {
  ({ values: options } = parseArgs({
    options: {
      as: { type: 'string', default: 'admin@contoso.com' },
      port: { type: 'string', default: '56150' },
      bot: { type: 'string', default: `http://localhost:${process.env.BOT_PORT || 3978}/api/messages` },
      tenant: { type: 'string' },
      'object-id': { type: 'string' },
      name: { type: 'string' },
      email: { type: 'string' },
      'config-dir': { type: 'string', default: path.join(dataDir, 'agents-playground') },
    },
  }));
} catch (error) {
  fail(`${error.message}. Usage: npm run playground -- [--as <upn>] [--port <port>]`);
}

/** A person of the demo tenant, read from the emulator `npm start` runs (its settings are in data/local-microsoft.json). */
async function demoPerson(upn) {
  const file = path.join(dataDir, 'local-microsoft.json');
  if (!existsSync(file)) fail(`no running emulator found (${file} is missing). Start the product with "npm start" first, or pass --tenant, --object-id, --name and --email.`);
  const local = JSON.parse(readFileSync(file, 'utf8'));
  const ca = readFileSync(local.caPath);
  const get = (url) =>
    new Promise((resolve, reject) => {
      https
        .get(url, { ca }, (res) => {
          let body = '';
          res.on('data', (chunk) => (body += chunk));
          res.on('end', () => (res.statusCode === 200 ? resolve(JSON.parse(body)) : reject(new Error(`${url} answered ${res.statusCode}: ${body}`))));
        })
        .on('error', reject);
    });
  let tenants;
  try {
    tenants = (await get(`${local.url}/_emulator/tenants`)).value;
  } catch (error) {
    fail(`the emulator at ${local.url} does not answer (${error.message}). Is "npm start" running?`);
  }
  const domain = upn.split('@')[1]?.toLowerCase();
  const tenant = tenants.find((t) => t.defaultDomain?.toLowerCase() === domain) ?? tenants[0];
  if (!tenant) fail('the emulator has no tenant.');
  let user;
  try {
    user = await get(`${local.url}/_emulator/tenants/${tenant.tenantId}/users/${encodeURIComponent(upn)}`);
  } catch {
    fail(`${upn} is not a user of the demo tenant ${tenant.defaultDomain}. Pass --as with one of its accounts.`);
  }
  return { tenantId: tenant.tenantId, objectId: user.id, name: user.displayName, email: user.mail ?? user.userPrincipalName };
}

const person =
  options.tenant && options['object-id']
    ? { tenantId: options.tenant, objectId: options['object-id'], name: options.name ?? 'Playground User', email: options.email ?? 'user@example.com' }
    : await demoPerson(options.as);

// The playground's own configuration (its schema requires every section and exactly five
// other users): the chatting person is `currentUser`, in `tenantId`.
const quote = (text) => JSON.stringify(String(text));
const [given, ...rest] = person.name.split(' ');
const colleague = (n) => `  - id: user-id-${n}
    name: Colleague ${n}
    userPrincipleName: colleague${n}@example.com
    aadObjectId: 00000000-0000-0000-0000-00000000002${n}
    givenName: Colleague
    surname: "${n}"
    email: colleague${n}@example.com`;
mkdirSync(options['config-dir'], { recursive: true });
writeFileSync(
  path.join(options['config-dir'], '.m365agentsplayground.yml'),
  `version: "0.1.1"
tenantId: ${quote(person.tenantId)}
bot:
  id: 00000000-0000-0000-0000-00000000000011
  name: Users Sync
currentUser:
  id: user-id-0
  name: ${quote(person.name)}
  userPrincipleName: ${quote(person.email)}
  aadObjectId: ${quote(person.objectId)}
  givenName: ${quote(given)}
  surname: ${quote(rest.join(' ') || given)}
  email: ${quote(person.email)}
users:
${[1, 2, 3, 4, 5].map(colleague).join('\n')}
personalChat:
  id: personal-chat-id
groupChat:
  id: group-chat-id
  name: Group Chat
team:
  id: team-id
  name: IT
  aadGroupId: 00000000-0000-0000-0000-000000000031
  channels:
    - id: channel-general-id
      name: General
`,
);

const cli = createRequire(import.meta.url).resolve('@microsoft/m365agentsplayground/cli.js');
process.stdout.write(`Agents Playground for ${person.email} (tenant ${person.tenantId}) → ${options.bot}\n  open http://localhost:${options.port}/\n`);
const child = spawn(process.execPath, [cli, '--app-endpoint', options.bot, '--channel-id', 'msteams', '--port', options.port, '--disable-telemetry'], {
  cwd: options['config-dir'],
  stdio: 'inherit',
});
for (const signal of ['SIGINT', 'SIGTERM']) process.on(signal, () => child.kill(signal));
child.on('exit', (code, signal) => process.exit(code ?? (signal ? 128 + (signal === 'SIGINT' ? 2 : 15) : 1)));
