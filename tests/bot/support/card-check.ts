import type * as AdaptiveCardsLibrary from 'adaptivecards';

// The package's main entry is ES modules without file extensions, which Node (and so jest)
// cannot load; its UMD bundle is the same library.
// eslint-disable-next-line @typescript-eslint/no-require-imports
const AdaptiveCards = require('adaptivecards/dist/adaptivecards.js') as typeof AdaptiveCardsLibrary;

/**
 * Parses a rendered card with the `adaptivecards` library, as a host would, and lists
 * every problem: parse events (unknown element or action types, bad values), validation
 * failures, and template bindings left unbound (`${…}` still in the JSON).
 */
export function cardProblems(json: unknown): string[] {
  const problems: string[] = [];
  const text = JSON.stringify(json);
  if (/\$\{/.test(text)) problems.push(`unbound template expression in ${text.slice(text.indexOf('${') - 40, text.indexOf('${') + 40)}`);
  const card = new AdaptiveCards.AdaptiveCard();
  const context = new AdaptiveCards.SerializationContext(AdaptiveCards.Versions.v1_5);
  card.parse(json, context);
  for (let i = 0; i < context.eventCount; i += 1) problems.push(`parse: ${context.getEventAt(i).message}`);
  const validation = card.validateProperties();
  for (const event of validation.validationEvents) problems.push(`validation: ${event.message}`);
  const visit = (node: unknown): void => {
    if (Array.isArray(node)) return node.forEach(visit);
    if (!node || typeof node !== 'object') return;
    const o = node as Record<string, unknown>;
    if (o.type === 'TextBlock' && (typeof o.text !== 'string' || o.text.trim() === '')) problems.push('a TextBlock with no text');
    Object.values(o).forEach(visit);
  };
  visit(json);
  const version = (json as { version?: unknown }).version;
  if (version !== '1.5') problems.push(`version is ${String(version)}, not 1.5`);
  return problems;
}

/** Every text a person reads on the card (TextBlocks, facts, action titles), flattened. */
export function cardText(json: unknown): string {
  const texts: string[] = [];
  const visit = (node: unknown): void => {
    if (Array.isArray(node)) return node.forEach(visit);
    if (!node || typeof node !== 'object') return;
    const o = node as Record<string, unknown>;
    for (const key of ['text', 'title', 'value']) if (typeof o[key] === 'string') texts.push(o[key]);
    Object.values(o).forEach(visit);
  };
  visit(json);
  return texts.join('\n').replace(/\\(.)/g, '$1');
}

/** The card's actions (buttons), as `type: title`. */
export function cardActions(json: unknown): Array<{ type: string; title: string; verb?: string; url?: string; data?: unknown }> {
  return ((json as { actions?: unknown[] }).actions ?? []) as Array<{ type: string; title: string; verb?: string; url?: string; data?: unknown }>;
}
