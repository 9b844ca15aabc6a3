'use strict'
/**
 * A small seeded pseudo-random generator (mulberry32), so DEMO_SEED makes the generated traffic
 * (which users, which requests fail, their latencies) the same from run to run. Not for secrets.
 */

const { murmur3x86_32 } = require('./flag-rules.js')

/** Uniform numbers in [0, 1) from a seed given as any text (hashed to 32 bits). */
function createRandom(seedText) {
  let state = murmur3x86_32(String(seedText), 0x5eed)
  return () => {
    state = (state + 0x6d2b79f5) | 0
    let t = Math.imul(state ^ (state >>> 15), 1 | state)
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296
  }
}

/** A standard normal deviate from two uniforms (Box–Muller). */
function normal(random) {
  const u = 1 - random()
  const v = random()
  return Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * v)
}

module.exports = { createRandom, normal }
