/**
 * Skewed popularity without tables: a Zipf-like sampler over ranks (O(1) per draw, by inverting the
 * continuous power law) and a seeded bijection from ranks to ids, so the best sellers are spread
 * over the catalogue instead of being SKU 1, 2, 3. Nothing here holds memory proportional to the
 * catalogue, which is what lets scale 1 (25M SKUs) run in constant memory.
 */
import { Rng, mix32 } from './random';

/**
 * Draws ranks in [0, n) with P(rank r) roughly proportional to 1 / (r + 1)^exponent.
 * With exponent 1 about 20% of the items take 80% of the draws.
 */
export class ZipfSampler {
  private readonly logN1: number;
  private readonly a: number;

  /**
   * @param n - number of items (>= 1)
   * @param exponent - skew; 1 is classic Zipf, 0 uniform
   */
  constructor(
    readonly n: number,
    readonly exponent = 1,
  ) {
    if (!Number.isInteger(n) || n < 1) throw new Error(`ZipfSampler needs n >= 1 items, got ${n}`);
    this.logN1 = Math.log(n + 1);
    this.a = Math.pow(n + 1, 1 - exponent) - 1;
  }

  /** A rank in [0, n), 0 being the most popular. */
  sample(rng: Rng): number {
    const u = rng.float();
    const x =
      this.exponent === 1 ? Math.exp(u * this.logN1) : Math.pow(this.a * u + 1, 1 / (1 - this.exponent));
    const rank = Math.floor(x) - 1;
    return rank < 0 ? 0 : rank >= this.n ? this.n - 1 : rank;
  }

  /** The approximate probability of a rank (the mass of [rank + 1, rank + 2) under the continuous law). */
  probability(rank: number): number {
    if (this.exponent === 1) return Math.log((rank + 2) / (rank + 1)) / this.logN1;
    const e = 1 - this.exponent;
    return (Math.pow(rank + 2, e) - Math.pow(rank + 1, e)) / this.a;
  }
}

function gcd(a: number, b: number): number {
  while (b !== 0) [a, b] = [b, a % b];
  return a;
}

/** (x * y) mod n for x, y < n <= 2^32, splitting y so intermediate values stay below 2^53. */
function mulMod(x: number, y: number, n: number): number {
  const hi = Math.floor(y / 65536);
  const lo = y % 65536;
  return (((x * hi) % n) * 65536 + x * lo) % n;
}

/** The inverse of a modulo n (a and n coprime), by the extended Euclidean algorithm. */
function modInverse(a: number, n: number): number {
  if (n === 1) return 0;
  let [oldR, r] = [a, n];
  let [oldS, s] = [1, 0];
  while (r !== 0) {
    const q = Math.floor(oldR / r);
    [oldR, r] = [r, oldR - q * r];
    [oldS, s] = [s, oldS - q * s];
  }
  return ((oldS % n) + n) % n;
}

/**
 * A bijection of [0, n): i -> (a * i + b) mod n with a coprime to n. Cheap, stateless and exact
 * for n up to 2^32.
 */
export class Permutation {
  private constructor(
    readonly n: number,
    private readonly a: number,
    private readonly b: number,
  ) {}

  /** A permutation of [0, n) chosen by a seed. */
  static seeded(n: number, seed: number): Permutation {
    if (!Number.isInteger(n) || n < 1 || n > 2 ** 32) {
      throw new Error(`Permutation supports 1 to 2^32 items, got ${n}; lower the scale`);
    }
    let a = n > 2 ? Math.floor(n * 0.6180339887) | 1 : 1;
    a = (a + (mix32(seed) % Math.max(1, Math.floor(n / 7)))) % n || 1;
    while (gcd(a, n) !== 1) a = (a + 1) % n || 1;
    return new Permutation(n, a, mix32(seed ^ 0x5bd1e995) % n);
  }

  /** The image of i. */
  at(i: number): number {
    return (mulMod(this.a, i, this.n) + this.b) % this.n;
  }

  /** The permutation that undoes this one. */
  inverse(): Permutation {
    const aInv = modInverse(this.a, this.n);
    return new Permutation(this.n, aInv, mulMod(aInv, (this.n - this.b) % this.n, this.n));
  }
}
