/**
 * Type declarations for the pure-rand subpaths the generator uses. pure-rand 8 publishes its entry
 * points through package.json "exports" only, which the project's `moduleResolution: "node"` does not
 * read; Node, tsx and jest do, so only the types need this shim. Remove it if the project moves to
 * `moduleResolution: "node16"` or `"bundler"`.
 */
declare module 'pure-rand/generator/xoroshiro128plus' {
  /** A mutable 32-bit random generator (pure-rand 8 API): `next()` alters the instance. */
  export interface JumpableRandomGenerator {
    /** An independent copy of the current state. */
    clone(): JumpableRandomGenerator;
    /** The next value, uniform in [-2^31, 2^31 - 1]; advances the generator. */
    next(): number;
    /** Advances the state by 2^64 steps, for non-overlapping sub-streams. */
    jump(): void;
    /** The internal state, read-only. */
    getState(): readonly number[];
  }
  /** A xoroshiro128+ generator seeded with a 32-bit integer. */
  export function xoroshiro128plus(seed: number): JumpableRandomGenerator;
  /** A xoroshiro128+ generator restored from `getState()`. */
  export function xoroshiro128plusFromState(state: readonly number[]): JumpableRandomGenerator;
}
