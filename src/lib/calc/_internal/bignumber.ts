import { bignumberDependencies, create, type BigNumber, type FactoryFunctionMap } from 'mathjs';

/**
 * A mathjs instance holding only what the availability maths needs: the BigNumber type (decimal.js).
 * Importing one dependency object rather than `all` lets the bundler drop the rest of mathjs, which keeps the
 * calculator pages light. Arithmetic uses decimal.js instance methods (`times`, `plus`, `div`, `log`): they need no
 * further mathjs functions and skip mathjs's typed dispatch, which made a 101-member sum several times slower.
 *
 * 64 significant digits: the smallest term of a 101-member binomial sum at p = 0.5 is about 2⁻¹⁰¹ ≈ 4e-31 of the
 * largest, so 64 digits keep every term exact to well beyond double precision.
 */
// mathjs types the dependency maps as entries of a Record, so strict index access adds `| undefined`; they are
// always defined at run time.
const factories = { bignumberDependencies } as FactoryFunctionMap;
const math = create(factories, { number: 'BigNumber', precision: 64 });

export type Big = BigNumber;

/**
 * An exact decimal from a finite JS number, via its shortest round-trip decimal string: 0.9999 becomes exactly
 * 0.9999, so 1 − p is exactly 0.0001 rather than the binary rounding error of 1 − 0.9999 in doubles.
 */
export function big(value: number): Big {
  return math.bignumber(String(value));
}

/**
 * Row n of Pascal's triangle, C(n, 0..n), as exact BigNumbers, by C(n, k) = C(n, k−1) · (n − k + 1) / k.
 * Every intermediate value is a whole number below 10³², so 64 digits hold it exactly.
 */
export function binomialRow(n: number): Big[] {
  const row: Big[] = [big(1)];
  let current = big(1);
  for (let k = 1; k <= n; k++) {
    current = current.times(n - k + 1).div(k);
    row.push(current);
  }
  return row;
}

/** base⁰ … baseⁿ as BigNumbers, by repeated multiplication. */
export function powers(base: Big, n: number): Big[] {
  const table: Big[] = [big(1)];
  for (let k = 1; k <= n; k++) table.push((table[k - 1] as Big).times(base));
  return table;
}
