import { type EmployeeAttributes, employeeAttributeNames } from './employee';

/**
 * A stable fingerprint of the mapped attributes: the same values give the same hash on
 * every machine and run, so an unchanged employee costs a comparison, not a write.
 * Two independent 32-bit FNV-1a lanes (pure JS; domain/ does no I/O, not even crypto).
 */
export function hashEmployeeAttributes(attributes: EmployeeAttributes): string {
  // Field separator and null marker cannot appear in Graph strings' normal content, and the order is fixed.
  const canonical = employeeAttributeNames.map((name) => (attributes[name] === null ? '\u0000' : `\u0001${attributes[name]}`)).join('\u001f');
  let a = 0x811c9dc5;
  let b = 0x01000193 ^ 0x5bd1e995;
  for (let i = 0; i < canonical.length; i += 1) {
    const c = canonical.charCodeAt(i);
    a = Math.imul(a ^ c, 0x01000193);
    b = Math.imul(b ^ c, 0x5bd1e995);
    b ^= b >>> 15;
  }
  return `${(a >>> 0).toString(16).padStart(8, '0')}${(b >>> 0).toString(16).padStart(8, '0')}`;
}
