// NameHash: FNV-1a 32-bit over UTF-8 bytes as 8 lowercase hex chars — the value upstream writes into
// the *-hash labels, so objects labelled by either controller match each other's selectors.

const FNV_OFFSET = 0x811c9dc5;
const FNV_PRIME = 0x01000193;

export function nameHash(value: string): string {
  let hash = FNV_OFFSET;
  for (const byte of Buffer.from(value, 'utf8')) {
    hash ^= byte;
    hash = Math.imul(hash, FNV_PRIME) >>> 0;
  }
  return hash.toString(16).padStart(8, '0');
}
