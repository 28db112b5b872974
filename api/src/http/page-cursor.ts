import { z } from 'zod';
import { ApiProblem } from './problem';

/**
 * Keyset paging cursors: the sort key of the last row of a page, opaque to the caller
 * (base64url JSON), checked on the way back in.
 */
export function pageCursor<const Keys extends readonly string[]>(keys: Keys, listName: string) {
  const tuple = z.array(z.string()).length(keys.length);
  type Position = { [K in Keys[number]]: string };
  return {
    encode(position: Position): string {
      return Buffer.from(JSON.stringify(keys.map((k) => position[k as Keys[number]])), 'utf8').toString('base64url');
    },
    decode(cursor: string | undefined): Position | undefined {
      if (!cursor) return undefined;
      let values: string[];
      try {
        values = tuple.parse(JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8')));
      } catch {
        throw new ApiProblem(400, 'INVALID_CURSOR', `This page link is not valid. Open the ${listName} again.`);
      }
      return Object.fromEntries(keys.map((k, i) => [k, values[i]])) as Position;
    },
  };
}
