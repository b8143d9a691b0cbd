import type { ConfiguredKeys } from '../config/data-keys';
import type { KeyRingState } from './key-ring';

/** The key ring in one start-up line: key ids only, never a key. */
export function describeKeyRing(ring: KeyRingState, keys: ConfiguredKeys): string {
  const parts = [`data key ${ring.currentKeyId}${keys.development ? ' (the development key: demo only, never for real data)' : ''}`];
  if (keys.previous.length > 0) parts.push(`${keys.previous.length} previous key(s) for decryption`);
  if (ring.change === 'registered') parts.push('registered as this database\'s key');
  if (ring.change === 'rotation_started') parts.push('now the current key: run `renewals keys rotate`');
  if (ring.retiring.length > 0) parts.push(`key rotation under way (rows may still be under ${ring.retiring.join(', ')})`);
  return parts.join('; ');
}
