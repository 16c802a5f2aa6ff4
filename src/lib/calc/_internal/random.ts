/**
 * Seeded pseudo-random numbers for the Monte Carlo simulations, so that a test or a chart given the same seed
 * sees exactly the same samples. Not for anything security-related.
 */

/** A source of uniform numbers in [0, 1). */
export type UniformSource = () => number;

/**
 * mulberry32: a 32-bit state generator (Tommy Ettinger's public-domain design). Period 2^32, passes the
 * statistical checks that matter for a few million draws per simulation, and costs a handful of integer
 * operations per number. `seed` is reduced to an unsigned 32-bit integer.
 */
export function mulberry32(seed: number): UniformSource {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let mixed = state;
    mixed = Math.imul(mixed ^ (mixed >>> 15), mixed | 1);
    mixed ^= mixed + Math.imul(mixed ^ (mixed >>> 7), mixed | 61);
    return ((mixed ^ (mixed >>> 14)) >>> 0) / 4_294_967_296;
  };
}

/**
 * Standard normal numbers from a uniform source by the Box–Muller transform. Each pair of uniforms gives two
 * normals; the second is kept for the next call.
 */
export function normalSource(uniform: UniformSource): () => number {
  let spare: number | undefined;
  return () => {
    if (spare !== undefined) {
      const value = spare;
      spare = undefined;
      return value;
    }
    // 1 - u lies in (0, 1], so the logarithm is finite.
    const radius = Math.sqrt(-2 * Math.log(1 - uniform()));
    const angle = 2 * Math.PI * uniform();
    spare = radius * Math.sin(angle);
    return radius * Math.cos(angle);
  };
}
