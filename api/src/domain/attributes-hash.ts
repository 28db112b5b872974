import { type EmployeeAttributes, employeeAttributeNames } from './employee';

const separator = 0x1f;
const nullMarker = 0;
const valueMarker = 1;

/** The two lanes' state, reused: every user of every run is hashed. */
const lanes = new Int32Array(2);

function mix(c: number): void {
  lanes[0] = Math.imul(lanes[0]! ^ c, 0x01000193);
  const b = Math.imul(lanes[1]! ^ c, 0x5bd1e995);
  lanes[1] = b ^ (b >>> 15);
}

/**
 * A stable fingerprint of the mapped attributes: the same values give the same hash on
 * every machine and run, so an unchanged employee costs a comparison, not a write.
 * Two independent 32-bit FNV-1a lanes (pure JS; domain/ does no I/O, not even crypto) over
 * the attributes in a fixed order, each as `\u0001value`, or `\u0000` when null, separated
 * by `\u001f` (markers that cannot appear in Graph strings' normal content) — fed one
 * character at a time rather than joined into a string first. Stored hashes outlive
 * versions: the sequence fed must never change.
 */
export function hashEmployeeAttributes(attributes: EmployeeAttributes): string {
  lanes[0] = 0x811c9dc5;
  lanes[1] = 0x01000193 ^ 0x5bd1e995;
  for (let field = 0; field < employeeAttributeNames.length; field += 1) {
    if (field > 0) mix(separator);
    const value = attributes[employeeAttributeNames[field]!];
    if (value === null) {
      mix(nullMarker);
      continue;
    }
    mix(valueMarker);
    const text = String(value);
    for (let i = 0; i < text.length; i += 1) mix(text.charCodeAt(i));
  }
  return `${(lanes[0]! >>> 0).toString(16).padStart(8, '0')}${(lanes[1]! >>> 0).toString(16).padStart(8, '0')}`;
}
