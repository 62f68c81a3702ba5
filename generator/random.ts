/**
 * Seeded randomness for the generator. Everything random in the generator goes through {@link Rng},
 * a thin wrapper over pure-rand's xoroshiro128+ (mutable API), so one seed gives one output, byte
 * for byte. Independent concerns (the simulation, event ids, bad-record injection, each entity)
 * use independent streams derived from the seed with {@link deriveSeed}, so adding a draw to one
 * concern does not shift the others.
 */
import { xoroshiro128plus } from 'pure-rand/generator/xoroshiro128plus';
import type { JumpableRandomGenerator } from 'pure-rand/generator/xoroshiro128plus';

const TWO_POW_32 = 4294967296;

/**
 * A 32-bit integer hash (murmur3's finalizer) of a number, used to derive seeds and to give
 * stateless entities (a customer, a SKU) their own reproducible randomness.
 */
export function mix32(x: number): number {
  let h = x | 0;
  h ^= h >>> 16;
  h = Math.imul(h, 0x85ebca6b);
  h ^= h >>> 13;
  h = Math.imul(h, 0xc2b2ae35);
  h ^= h >>> 16;
  return h >>> 0;
}

/** A 32-bit hash of a string (FNV-1a then {@link mix32}). */
export function hashString(s: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < s.length; i++) {
    h ^= s.charCodeAt(i);
    h = Math.imul(h, 0x01000193);
  }
  return mix32(h);
}

/**
 * The seed of an independent random stream: a hash of the run seed, a label naming the concern
 * (`'ids'`, `'customer'`) and an optional index (the customer number).
 */
export function deriveSeed(seed: number, label: string, index = 0): number {
  return mix32(mix32(seed ^ hashString(label)) + Math.imul(index | 0, 0x9e3779b1)) | 0;
}

const HEX = '0123456789abcdef';

/** A seeded random stream with the distributions the generator needs. */
export class Rng {
  private readonly gen: JumpableRandomGenerator;

  /** @param seed - any 32-bit integer; equal seeds give equal streams. */
  constructor(seed: number) {
    this.gen = xoroshiro128plus(seed | 0);
    // xoroshiro's first outputs from a small seed are poorly mixed; discard a few.
    for (let i = 0; i < 8; i++) this.gen.next();
  }

  /** An unsigned 32-bit integer. */
  uint32(): number {
    return this.gen.next() >>> 0;
  }

  /** A float in [0, 1) with 32 bits of randomness (enough for simulation). */
  float(): number {
    return (this.gen.next() >>> 0) / TWO_POW_32;
  }

  /** An integer in [lo, hi] (both included). */
  int(lo: number, hi: number): number {
    return lo + Math.floor(this.float() * (hi - lo + 1));
  }

  /** A float in [lo, hi). */
  between(lo: number, hi: number): number {
    return lo + this.float() * (hi - lo);
  }

  /** True with probability p. */
  chance(p: number): boolean {
    return this.float() < p;
  }

  /** One element of a non-empty array, uniformly. */
  pick<T>(items: readonly T[]): T {
    return items[Math.floor(this.float() * items.length)];
  }

  /** An index drawn with the given (not necessarily normalized) weights. */
  weightedIndex(weights: readonly number[], total?: number): number {
    const sum = total ?? weights.reduce((a, b) => a + b, 0);
    let x = this.float() * sum;
    for (let i = 0; i < weights.length; i++) {
      x -= weights[i];
      if (x < 0) return i;
    }
    return weights.length - 1;
  }

  /** An exponential variate with the given mean. */
  exponential(mean: number): number {
    return -Math.log(1 - this.float()) * mean;
  }

  /** A geometric count >= 0 with the given mean (number of failures before a success). */
  geometric(mean: number): number {
    if (mean <= 0) return 0;
    const p = 1 / (1 + mean);
    return Math.floor(Math.log(1 - this.float()) / Math.log(1 - p));
  }

  /** A log-normal variate: exp(N(mu, sigma)). */
  logNormal(mu: number, sigma: number): number {
    // Box-Muller; one of the pair is discarded to keep the stream simple.
    const u1 = 1 - this.float();
    const u2 = this.float();
    const z = Math.sqrt(-2 * Math.log(u1)) * Math.cos(2 * Math.PI * u2);
    return Math.exp(mu + sigma * z);
  }

  /** `n` lower-case hex characters. */
  hex(n: number): string {
    let out = '';
    let word = 0;
    for (let i = 0; i < n; i++) {
      if ((i & 7) === 0) word = this.uint32();
      out += HEX[word & 15];
      word >>>= 4;
    }
    return out;
  }

  /** A random (version 4 shaped) UUID. */
  uuid(): string {
    const h = this.hex(32);
    return `${h.slice(0, 8)}-${h.slice(8, 12)}-4${h.slice(13, 16)}-${HEX[8 + (h.charCodeAt(16) & 3)]}${h.slice(17, 20)}-${h.slice(20, 32)}`;
  }

  /** `n` upper-case base-32 characters (Crockford alphabet, no I/L/O/U). */
  base32(n: number): string {
    const alphabet = '0123456789ABCDEFGHJKMNPQRSTVWXYZ';
    let out = '';
    for (let i = 0; i < n; i++) out += alphabet[this.uint32() & 31];
    return out;
  }
}
