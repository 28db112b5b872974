/**
 * Every command the bot answers, in one place: the chat handler reads it, the help card
 * lists it, and the Teams manifest's `commandLists` are built from it, so the three
 * never disagree.
 */
export const commandCatalog: readonly { command: string; title: string; description: string; scopes: readonly ('personal' | 'team')[] }[] = [
  { command: 'help', title: 'help', description: 'What I can do', scopes: ['personal', 'team'] },
  { command: 'status', title: 'status', description: 'Connection, scope, last and next sync, employee counts', scopes: ['personal', 'team'] },
  { command: 'sync now', title: 'sync now', description: 'Start a sync and follow it here', scopes: ['personal', 'team'] },
  { command: 'history', title: 'history', description: 'The last syncs and their outcome', scopes: ['personal', 'team'] },
  { command: 'preview', title: 'preview', description: 'What a sync would change, without changing anything', scopes: ['personal', 'team'] },
  { command: 'link', title: 'link <email>', description: 'Send a Microsoft admin an onboarding link to set up the sync', scopes: ['personal'] },
  { command: 'why', title: 'why <email or name>', description: 'Why someone is or is not in the directory', scopes: ['personal', 'team'] },
];
