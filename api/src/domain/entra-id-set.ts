/**
 * A set of Entra object ids held compactly. A run remembers every user it read in scope (to
 * find, at the end, who was not read): as strings in a `Set`, 300,000 ids took about 28 MB
 * of heap and made every full garbage collection walk 300,000 more objects. Object ids are
 * GUIDs, so each is kept here as its 16 bytes in one buffer (doubled as it fills), found
 * through an open-addressing index: about 12 MB for the same 300,000, in two objects. An id
 * that is not a lowercase GUID (none from Graph, but nothing is assumed) is kept as it is, in
 * a plain `Set`. Behaves as a `Set<string>` for `add`, `has`, `size` and iteration (insertion
 * order within each kind: GUIDs first).
 */
export class EntraIdSet implements Iterable<string> {
  private ids = new Uint8Array(16 * 1024);
  private count = 0;
  /** Slot → 1 + index of the id in `ids`; 0 is an empty slot. Kept at most half full. */
  private slots = new Uint32Array(2048);
  private readonly others = new Set<string>();
  private readonly scratch = new Uint8Array(16);

  get size(): number {
    return this.count + this.others.size;
  }

  has(id: string): boolean {
    if (!guidBytes(id, this.scratch)) return this.others.has(id);
    return this.slots[this.find(this.scratch)]! !== 0;
  }

  add(id: string): this {
    if (!guidBytes(id, this.scratch)) {
      this.others.add(id);
      return this;
    }
    const slot = this.find(this.scratch);
    if (this.slots[slot] !== 0) return this;
    if ((this.count + 1) * 16 > this.ids.length) {
      const grown = new Uint8Array(this.ids.length * 2);
      grown.set(this.ids);
      this.ids = grown;
    }
    this.ids.set(this.scratch, this.count * 16);
    this.count += 1;
    this.slots[slot] = this.count;
    if (this.count * 2 > this.slots.length) this.rehash();
    return this;
  }

  *[Symbol.iterator](): IterableIterator<string> {
    for (let i = 0; i < this.count; i += 1) yield guidText(this.ids, i * 16);
    yield* this.others;
  }

  /** The slot holding these 16 bytes, or the empty slot where they would go. */
  private find(bytes: Uint8Array): number {
    const slots = this.slots;
    const mask = slots.length - 1;
    let slot = hashOf(bytes) & mask;
    for (;;) {
      const held = slots[slot]!;
      if (held === 0 || this.equalAt(held - 1, bytes)) return slot;
      slot = (slot + 1) & mask;
    }
  }

  private equalAt(index: number, bytes: Uint8Array): boolean {
    const at = index * 16;
    for (let i = 0; i < 16; i += 1) if (this.ids[at + i] !== bytes[i]) return false;
    return true;
  }

  private rehash(): void {
    const slots = new Uint32Array(this.slots.length * 2);
    const mask = slots.length - 1;
    for (let index = 0; index < this.count; index += 1) {
      let slot = hashOf(this.ids.subarray(index * 16, index * 16 + 16)) & mask;
      while (slots[slot] !== 0) slot = (slot + 1) & mask;
      slots[slot] = index + 1;
    }
    this.slots = slots;
  }
}

/** FNV-1a over the 16 bytes: GUIDs of version 4 are random anyway, but ids made in sequence must spread too. */
function hashOf(bytes: Uint8Array): number {
  let hash = 0x811c9dc5;
  for (let i = 0; i < 16; i += 1) hash = Math.imul(hash ^ bytes[i]!, 0x01000193);
  return hash >>> 0;
}

/** Each character's value as a lowercase hexadecimal digit, or -1. */
const hexValues = new Int8Array(128).fill(-1);
for (let i = 0; i < 16; i += 1) hexValues['0123456789abcdef'.charCodeAt(i)] = i;

/** Fills `out` with the GUID's 16 bytes when `id` is a GUID in lowercase hexadecimal (8-4-4-4-12); false otherwise. */
function guidBytes(id: string, out: Uint8Array): boolean {
  if (id.length !== 36 || id.charCodeAt(8) !== 45 || id.charCodeAt(13) !== 45 || id.charCodeAt(18) !== 45 || id.charCodeAt(23) !== 45) return false;
  let byte = 0;
  for (let i = 0; i < 36; i += 2) {
    if (i === 8 || i === 13 || i === 18 || i === 23) i += 1;
    const high = hexValues[id.charCodeAt(i) & 127]!;
    const low = hexValues[id.charCodeAt(i + 1) & 127]!;
    if (high < 0 || low < 0 || id.charCodeAt(i) > 127 || id.charCodeAt(i + 1) > 127) return false;
    out[byte] = (high << 4) | low;
    byte += 1;
  }
  return true;
}

const hexDigits = '0123456789abcdef';

function guidText(bytes: Uint8Array, at: number): string {
  let text = '';
  for (let i = 0; i < 16; i += 1) {
    if (i === 4 || i === 6 || i === 8 || i === 10) text += '-';
    const b = bytes[at + i]!;
    text += hexDigits[b >> 4]! + hexDigits[b & 15]!;
  }
  return text;
}
