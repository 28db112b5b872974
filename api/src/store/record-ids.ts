import { randomFillSync } from 'node:crypto';

// A 12-bit counter after the millisecond keeps the ids made within one millisecond in order.
const maxSequence = 0xfff;
// Before any millisecond, so the first id starts one (a clock at the epoch included).
let lastMillis = -1;
let sequence = 0;
/** "tttttttt-tttt-7" for lastMillis: the same for every id of one millisecond, so made once. */
let timePrefix = '';

const byteHex = Array.from({ length: 256 }, (_, i) => i.toString(16).padStart(2, '0'));
const sequenceHex = Array.from({ length: maxSequence + 1 }, (_, i) => i.toString(16).padStart(3, '0'));
// Random bytes drawn from the system 512 ids at a time: a sync makes two ids a
// changed employee (its record, its change-log line), and asking for randomness per id
// (randomUUID, then cutting it up) was most of the cost of an id.
const randomPool = Buffer.alloc(8 * 512);
let randomAt = randomPool.length;

/** "-Vxxx-xxxxxxxxxxxx": the variant (10) and 62 random bits, as in RFC 9562's rand_b. */
function randomTail(): string {
  if (randomAt + 8 > randomPool.length) {
    randomFillSync(randomPool);
    randomAt = 0;
  }
  const b = randomPool;
  const i = randomAt;
  randomAt += 8;
  return `-${byteHex[(b[i]! & 0x3f) | 0x80]}${byteHex[b[i + 1]!]}-${byteHex[b[i + 2]!]}${byteHex[b[i + 3]!]}${byteHex[b[i + 4]!]}${byteHex[b[i + 5]!]}${byteHex[b[i + 6]!]}${byteHex[b[i + 7]!]}`;
}

function startMillisecond(millis: number): void {
  lastMillis = millis;
  sequence = 0;
  const time = millis.toString(16).padStart(12, '0');
  timePrefix = `${time.slice(0, 8)}-${time.slice(8)}-7`;
}

/**
 * Ids for rows written in bulk (employees, change-log lines): UUIDs of version 7, whose
 * leading bits are the time they were made (RFC 9562). Rows made one after another get
 * neighbouring keys, so the indexes on these ids grow at their end: a batch dirties a few
 * index pages instead of one page per row scattered over the whole index, which made
 * every commit of a large sync slower than the one before.
 */
export function newRecordId(): string {
  const now = Date.now();
  if (now > lastMillis) startMillisecond(now);
  // More ids in one millisecond than the counter holds: borrow the next one, keeping the order.
  else if (++sequence > maxSequence) startMillisecond(lastMillis + 1);
  return `${timePrefix}${sequenceHex[sequence]}${randomTail()}`;
}
