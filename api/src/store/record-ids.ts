import { randomUUID } from 'node:crypto';

// A 12-bit counter after the millisecond keeps the ids made within one millisecond in order.
const maxSequence = 0xfff;
let lastMillis = 0;
let sequence = 0;

/**
 * Ids for rows written in bulk (employees, change-log lines): UUIDs of version 7, whose
 * leading bits are the time they were made (RFC 9562). Rows made one after another get
 * neighbouring keys, so the indexes on these ids grow at their end: a batch dirties a few
 * index pages instead of one page per row scattered over the whole index, which made
 * every commit of a large sync slower than the one before.
 */
export function newRecordId(): string {
  const now = Date.now();
  if (now > lastMillis) {
    lastMillis = now;
    sequence = 0;
  } else if (++sequence > maxSequence) {
    // More ids in one millisecond than the counter holds: borrow the next one, keeping the order.
    lastMillis += 1;
    sequence = 0;
  }
  const time = lastMillis.toString(16).padStart(12, '0');
  // randomUUID's last 16 characters (from the variant on) are random and cheap: node pools its entropy.
  return `${time.slice(0, 8)}-${time.slice(8)}-7${sequence.toString(16).padStart(3, '0')}${randomUUID().slice(18)}`;
}
