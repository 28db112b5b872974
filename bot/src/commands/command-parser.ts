import { commandCatalog } from './command-catalog';

export type CommandName = (typeof commandCatalog)[number]['command'];

export type ParsedCommand = { command: CommandName; argument: string } | { command: 'unknown'; text: string };

/** Optimal string alignment distance (Damerau–Levenshtein with adjacent transpositions). */
export function editDistance(a: string, b: string): number {
  const d: number[][] = Array.from({ length: a.length + 1 }, (_, i) => Array.from({ length: b.length + 1 }, (_, j) => (i === 0 ? j : j === 0 ? i : 0)));
  for (let i = 1; i <= a.length; i += 1) {
    for (let j = 1; j <= b.length; j += 1) {
      const cost = a[i - 1] === b[j - 1] ? 0 : 1;
      let best = Math.min(d[i - 1]![j]! + 1, d[i]![j - 1]! + 1, d[i - 1]![j - 1]! + cost);
      if (i > 1 && j > 1 && a[i - 1] === b[j - 2] && a[i - 2] === b[j - 1]) best = Math.min(best, d[i - 2]![j - 2]! + 1);
      d[i]![j] = best;
    }
  }
  return d[a.length]![b.length]!;
}

/** Small typos forgiven: one for words of four letters or more, two from eight; short words must be exact. */
const tolerance = (word: string): number => (word.length >= 8 ? 2 : word.length >= 4 ? 1 : 0);

/**
 * Reads a chat message as one of the catalog's commands: case-insensitive, spaces and
 * trailing punctuation ignored, small typos forgiven ("stauts", "sync nwo", "hsitory").
 * The argument keeps its case (an email, a name).
 */
export function parseCommand(text: string): ParsedCommand {
  const cleaned = text.replace(/\s+/g, ' ').trim().replace(/^\/+/, '');
  const words = cleaned.split(' ').filter(Boolean);
  let best: { command: CommandName; argument: string; distance: number } | undefined;
  for (const entry of commandCatalog) {
    const wanted = entry.command.split(' ');
    if (words.length < wanted.length) continue;
    const said = words
      .slice(0, wanted.length)
      .join(' ')
      .toLowerCase()
      .replace(/[.!?,:;]+$/, '');
    const distance = editDistance(said, entry.command);
    if (distance > tolerance(entry.command.replace(' ', ''))) continue;
    const argument = words.slice(wanted.length).join(' ');
    // Commands without an argument take nothing after them: "help me with x" is not "help".
    if (!['link', 'why'].includes(entry.command) && argument && !/^[.!?]+$/.test(argument)) continue;
    if (!best || distance < best.distance) best = { command: entry.command as CommandName, argument, distance };
  }
  return best ? { command: best.command, argument: best.argument } : { command: 'unknown', text: cleaned };
}
