/** Summary statistics over simulation samples. Pure functions; inputs are never modified. */

/**
 * The p-quantile (0 ≤ p ≤ 1) of samples already sorted ascending, interpolating linearly between the two
 * nearest ranks (the "type 7" rule used by R and NumPy by default). Returns 0 for an empty list.
 */
export function quantileSorted(sorted: ArrayLike<number>, p: number): number {
  const count = sorted.length;
  if (count === 0) return 0;
  const position = (count - 1) * Math.min(1, Math.max(0, p));
  const lower = Math.floor(position);
  const upper = Math.min(count - 1, lower + 1);
  const lowerValue = sorted[lower] as number;
  const upperValue = sorted[upper] as number;
  return lowerValue + (upperValue - lowerValue) * (position - lower);
}

/** Arithmetic mean; 0 for an empty list. */
export function mean(samples: ArrayLike<number>): number {
  if (samples.length === 0) return 0;
  let sum = 0;
  for (let index = 0; index < samples.length; index += 1) sum += samples[index] as number;
  return sum / samples.length;
}

/**
 * Quantiles (type 7, as quantileSorted) of unsorted samples without a full sort: a quickselect per rank on one
 * working copy, each search confined to the part of the array the previous one left to its right. O(n) on
 * average, several times faster than sorting 100 000 samples. `ps` must be ascending.
 */
export function quantiles(samples: ArrayLike<number>, ps: readonly number[]): number[] {
  const count = samples.length;
  if (count === 0) return ps.map(() => 0);
  const work = Float64Array.from(samples);
  let from = 0;
  return ps.map((p) => {
    const position = (count - 1) * Math.min(1, Math.max(0, p));
    const lower = Math.floor(position);
    const lowerValue = selectInPlace(work, lower, from);
    from = lower;
    if (lower === position) return lowerValue;
    // The (lower + 1)-th smallest is the minimum of everything right of `lower` after the selection.
    let upperValue = Number.POSITIVE_INFINITY;
    for (let index = lower + 1; index < count; index += 1) upperValue = Math.min(upperValue, work[index] as number);
    return lowerValue + (upperValue - lowerValue) * (position - lower);
  });
}

/** Hoare quickselect: rearranges `work[from..]` so that work[rank] holds the value of that rank; returns it. */
function selectInPlace(work: Float64Array, rank: number, from: number): number {
  let left = from;
  let right = work.length - 1;
  while (right > left) {
    const pivot = medianOfThree(work[left] as number, work[(left + right) >> 1] as number, work[right] as number);
    let low = left;
    let high = right;
    while (low <= high) {
      while ((work[low] as number) < pivot) low += 1;
      while ((work[high] as number) > pivot) high -= 1;
      if (low <= high) {
        const swap = work[low] as number;
        work[low] = work[high] as number;
        work[high] = swap;
        low += 1;
        high -= 1;
      }
    }
    if (rank <= high) right = high;
    else if (rank >= low) left = low;
    else break;
  }
  return work[rank] as number;
}

function medianOfThree(first: number, second: number, third: number): number {
  if (first < second) {
    if (second < third) return second;
    return first < third ? third : first;
  }
  if (first < third) return first;
  return second < third ? third : second;
}

/** The usual percentile summary of a sample set. */
export interface SampleSummary {
  meanValue: number;
  p50: number;
  p90: number;
  p99: number;
  min: number;
  max: number;
}

/** Mean, p50, p90, p99, min and max of unsorted samples (0 for each when there are none). */
export function summarize(samples: ArrayLike<number>): SampleSummary {
  const [min = 0, p50 = 0, p90 = 0, p99 = 0, max = 0] = quantiles(samples, [0, 0.5, 0.9, 0.99, 1]);
  return { meanValue: mean(samples), p50, p90, p99, min, max };
}

/** One histogram bar: samples in [from, to) (the last bar also holds `to`), as a share of all samples. */
export interface HistogramBin {
  from: number;
  to: number;
  count: number;
  fraction: number;
}

/**
 * Equal-width bins over [from, to]. Samples outside the range are clamped into the first or last bin, so the
 * fractions always add up to 1 (for a non-empty sample set).
 */
export function histogram(samples: ArrayLike<number>, from: number, to: number, binCount: number): HistogramBin[] {
  const width = to > from ? (to - from) / binCount : 1;
  const counts = new Array<number>(binCount).fill(0);
  for (let index = 0; index < samples.length; index += 1) {
    const bin = Math.floor(((samples[index] as number) - from) / width);
    const clamped = Math.min(binCount - 1, Math.max(0, bin));
    counts[clamped] = (counts[clamped] as number) + 1;
  }
  const total = samples.length;
  return counts.map((count, index) => ({
    from: from + index * width,
    to: from + (index + 1) * width,
    count,
    fraction: total > 0 ? count / total : 0,
  }));
}

/**
 * Bin edges people can read: a width of 1, 2 or 5 times a power of ten, chosen so that about `targetBins` bins
 * cover [from, to], starting at a multiple of the width. Returns the range and the bin count for `histogram`.
 */
export function niceBins(from: number, to: number, targetBins: number): { from: number; to: number; count: number; width: number } {
  const span = to > from ? to - from : 1;
  const rough = span / Math.max(1, targetBins);
  const power = 10 ** Math.floor(Math.log10(rough));
  const width = ([1, 2, 5, 10].map((step) => step * power).find((step) => step >= rough) ?? 10 * power);
  const start = Math.floor(from / width) * width;
  const count = Math.max(1, Math.ceil((to - start) / width - 1e-9));
  return { from: start, to: start + count * width, count, width };
}
