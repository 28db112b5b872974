/**
 * The commands the bot answers, in the order Teams suggests them. The app package's
 * `commandLists` is generated from this list (`npm run package`), so the two never drift.
 * Teams shows `title` as the command and `description` beside it; `scopes` says where.
 */
export const commandCatalog: readonly { command: string; title: string; description: string; scopes: readonly ('personal' | 'team')[] }[] = [
  { command: 'help', title: 'help', description: 'What I can do and how to set up the Microsoft sync', scopes: ['personal', 'team'] },
  { command: 'status', title: 'status', description: 'Whether Microsoft 365 is connected and how the last sync went', scopes: ['personal', 'team'] },
  { command: 'sync now', title: 'sync now', description: 'Start a sync of your employees from Microsoft Entra ID', scopes: ['personal', 'team'] },
  { command: 'history', title: 'history', description: 'The last sync runs with their results', scopes: ['personal', 'team'] },
  { command: 'preview', title: 'preview', description: 'What a sync would change, without changing anything', scopes: ['personal', 'team'] },
  { command: 'link', title: 'link', description: 'Share an onboarding link with your Microsoft admin', scopes: ['personal'] },
  { command: 'why', title: 'why', description: 'Why a person is or is not in the directory (why <email or name>)', scopes: ['personal'] },
];
