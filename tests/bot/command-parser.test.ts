import { commandCatalog } from '@users-sync/bot/commands/command-catalog';
import { parseCommand } from '@users-sync/bot/commands/command-parser';

describe('reading chat commands', () => {
  it.each([
    ['help', 'help', ''],
    ['Help!', 'help', ''],
    ['hlep', 'help', ''],
    ['STATUS', 'status', ''],
    ['stauts', 'status', ''],
    ['sync now', 'sync now', ''],
    ['Sync  Now.', 'sync now', ''],
    ['sync nwo', 'sync now', ''],
    ['synch now', 'sync now', ''],
    ['history', 'history', ''],
    ['histroy', 'history', ''],
    ['preview', 'preview', ''],
    ['preveiw', 'preview', ''],
    ['link It.Admin@Contoso.com', 'link', 'It.Admin@Contoso.com'],
    ['lnik a@b.com', 'link', 'a@b.com'],
    ['why Ann  Smith', 'why', 'Ann Smith'],
    ['WHY ann@contoso.com', 'why', 'ann@contoso.com'],
  ])('reads "%s" as %s', (text, command, argument) => {
    expect(parseCommand(text)).toEqual({ command, argument });
  });

  it.each(['hello', 'who are you', 'status of my order please', 'wyh ann', 'sync', 'now', ''])('does not guess a command from "%s"', (text) => {
    expect(parseCommand(text).command).toBe('unknown');
  });

  it('understands every command of the catalog by its own name', () => {
    for (const entry of commandCatalog) expect(parseCommand(entry.command).command).toBe(entry.command);
  });
});
