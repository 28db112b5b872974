/**
 * A small OData `$filter` parser for the clauses Graph's directory supports:
 * `eq`/`ne`/`ge`/`le` comparisons, `in (...)`, `startswith(p,'x')`, `endswith(p,'x')`,
 * `not`, `and`, `or`, parentheses.
 */
export type FilterNode =
  | { kind: 'and' | 'or'; left: FilterNode; right: FilterNode }
  | { kind: 'not'; operand: FilterNode }
  | { kind: 'compare'; op: 'eq' | 'ne' | 'ge' | 'le' | 'gt' | 'lt'; property: string; value: Literal }
  | { kind: 'in'; property: string; values: Literal[] }
  | { kind: 'function'; name: 'startswith' | 'endswith'; property: string; value: string };

export type Literal = string | number | boolean | null;

export class FilterSyntaxError extends Error {}

type Token = { type: 'ident'; value: string } | { type: 'string'; value: string } | { type: 'number'; value: number } | { type: 'punct'; value: '(' | ')' | ',' };

function tokenize(source: string): Token[] {
  const tokens: Token[] = [];
  let i = 0;
  while (i < source.length) {
    const c = source[i]!;
    if (/\s/.test(c)) {
      i++;
    } else if (c === '(' || c === ')' || c === ',') {
      tokens.push({ type: 'punct', value: c });
      i++;
    } else if (c === "'") {
      let value = '';
      i++;
      for (;;) {
        if (i >= source.length) throw new FilterSyntaxError('Unterminated string literal.');
        if (source[i] === "'") {
          if (source[i + 1] === "'") {
            value += "'";
            i += 2;
            continue;
          }
          i++;
          break;
        }
        value += source[i++];
      }
      tokens.push({ type: 'string', value });
    } else if (/[-\d]/.test(c)) {
      const m = /^-?\d+(\.\d+)?/.exec(source.slice(i));
      if (!m) throw new FilterSyntaxError(`Syntax error at position ${i}.`);
      tokens.push({ type: 'number', value: Number(m[0]) });
      i += m[0].length;
    } else {
      const m = /^[A-Za-z_][\w./@]*/.exec(source.slice(i));
      if (!m) throw new FilterSyntaxError(`Syntax error at position ${i} in '${source}'.`);
      tokens.push({ type: 'ident', value: m[0] });
      i += m[0].length;
    }
  }
  return tokens;
}

export function parseFilter(source: string): FilterNode {
  const tokens = tokenize(source);
  let pos = 0;
  const peek = () => tokens[pos];
  const isWord = (word: string) => {
    const t = peek();
    return t?.type === 'ident' && t.value.toLowerCase() === word;
  };
  const expectPunct = (value: string) => {
    const t = tokens[pos++];
    if (t?.type !== 'punct' || t.value !== value) throw new FilterSyntaxError(`Expected '${value}'.`);
  };
  const literal = (): Literal => {
    const t = tokens[pos++];
    if (!t) throw new FilterSyntaxError('Expected a value.');
    if (t.type === 'string' || t.type === 'number') return t.value;
    if (t.type === 'ident') {
      const v = t.value.toLowerCase();
      if (v === 'true') return true;
      if (v === 'false') return false;
      if (v === 'null') return null;
    }
    throw new FilterSyntaxError('Expected a literal value.');
  };
  const identifier = (): string => {
    const t = tokens[pos++];
    if (t?.type !== 'ident') throw new FilterSyntaxError('Expected a property name.');
    return t.value;
  };

  const primary = (): FilterNode => {
    const t = peek();
    if (t?.type === 'punct' && t.value === '(') {
      pos++;
      const inner = or();
      expectPunct(')');
      return inner;
    }
    if (isWord('not')) {
      pos++;
      return { kind: 'not', operand: primary() };
    }
    const name = identifier();
    const lower = name.toLowerCase();
    if ((lower === 'startswith' || lower === 'endswith') && peek()?.type === 'punct') {
      expectPunct('(');
      const property = identifier();
      expectPunct(',');
      const value = literal();
      expectPunct(')');
      if (typeof value !== 'string') throw new FilterSyntaxError(`${name} needs a string.`);
      return { kind: 'function', name: lower, property, value };
    }
    const op = peek();
    if (op?.type !== 'ident') throw new FilterSyntaxError(`Expected an operator after '${name}'.`);
    pos++;
    const operator = op.value.toLowerCase();
    if (operator === 'in') {
      expectPunct('(');
      const values: Literal[] = [literal()];
      while (peek()?.type === 'punct' && peek()!.value === ',') {
        pos++;
        values.push(literal());
      }
      expectPunct(')');
      return { kind: 'in', property: name, values };
    }
    if (!['eq', 'ne', 'ge', 'le', 'gt', 'lt'].includes(operator)) throw new FilterSyntaxError(`Unsupported operator '${op.value}'.`);
    return { kind: 'compare', op: operator as 'eq', property: name, value: literal() };
  };
  const and = (): FilterNode => {
    let left = primary();
    while (isWord('and')) {
      pos++;
      left = { kind: 'and', left, right: primary() };
    }
    return left;
  };
  const or = (): FilterNode => {
    let left = and();
    while (isWord('or')) {
      pos++;
      left = { kind: 'or', left, right: and() };
    }
    return left;
  };
  const node = or();
  if (pos !== tokens.length) throw new FilterSyntaxError(`Unexpected '${JSON.stringify(tokens[pos])}' in filter.`);
  return node;
}

/** Whether the filter needs Graph's "advanced query" mode (ConsistencyLevel: eventual + $count=true). */
export function isAdvanced(node: FilterNode): boolean {
  switch (node.kind) {
    case 'and':
    case 'or':
      return isAdvanced(node.left) || isAdvanced(node.right);
    case 'not':
      return true;
    case 'compare':
      return node.op === 'ne';
    case 'function':
      return node.name === 'endswith';
    case 'in':
      return false;
  }
}

export function properties(node: FilterNode): string[] {
  switch (node.kind) {
    case 'and':
    case 'or':
      return [...properties(node.left), ...properties(node.right)];
    case 'not':
      return properties(node.operand);
    default:
      return [node.property];
  }
}

/** Directory comparisons on strings are case-insensitive. */
function same(a: unknown, b: Literal): boolean {
  if (typeof a === 'string' && typeof b === 'string') return a.toLowerCase() === b.toLowerCase();
  return a === b;
}

export function evaluate(node: FilterNode, read: (property: string) => unknown): boolean {
  switch (node.kind) {
    case 'and':
      return evaluate(node.left, read) && evaluate(node.right, read);
    case 'or':
      return evaluate(node.left, read) || evaluate(node.right, read);
    case 'not':
      return !evaluate(node.operand, read);
    case 'in': {
      const value = read(node.property);
      return node.values.some((v) => same(value, v));
    }
    case 'function': {
      const value = read(node.property);
      if (typeof value !== 'string') return false;
      const v = value.toLowerCase();
      const w = node.value.toLowerCase();
      return node.name === 'startswith' ? v.startsWith(w) : v.endsWith(w);
    }
    case 'compare': {
      const value = read(node.property);
      switch (node.op) {
        case 'eq':
          return same(value, node.value);
        case 'ne':
          return !same(value, node.value);
        default: {
          if (value === null || value === undefined || node.value === null) return false;
          const a = typeof value === 'string' ? value.toLowerCase() : (value as number);
          const b = typeof node.value === 'string' ? node.value.toLowerCase() : (node.value as number);
          return node.op === 'ge' ? a >= b : node.op === 'le' ? a <= b : node.op === 'gt' ? a > b : a < b;
        }
      }
    }
  }
}
