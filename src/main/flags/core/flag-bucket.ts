import { murmur3x86_32String } from './murmur3'

/**
 * The user's bucket for a flag, 1..100: `(murmur3_x86_32("F:U", seed 0) mod 100) + 1`.
 * This is Unleash's flexibleRollout normalisation with groupId = flag name, so a rollout
 * picks the same users an Unleash SDK would, and raising the percentage only adds users.
 * The user id is hashed exactly as given (no trimming or case folding).
 */
export function flagBucket(flag: string, user: string): number {
  return (murmur3x86_32String(`${flag}:${user}`, 0) % 100) + 1
}
