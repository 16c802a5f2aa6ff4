/**
 * Number formatting for calculator output. Every function returns readable text for any number it is given:
 * a value that is not finite becomes "n/a" rather than `NaN` or `Infinity`, so a library surprise can never
 * leak raw JavaScript values onto the page.
 */

export const NOT_AVAILABLE = 'n/a';

const formatters = new Map<number, Intl.NumberFormat>();

function formatter(maxDecimals: number): Intl.NumberFormat {
  let cached = formatters.get(maxDecimals);
  if (!cached) {
    cached = new Intl.NumberFormat('en-US', { maximumFractionDigits: maxDecimals, minimumFractionDigits: 0 });
    formatters.set(maxDecimals, cached);
  }
  return cached;
}

/** `1234.5678` -> `1,234.57` (at most `maxDecimals` decimals, trailing zeros dropped). */
export function formatNumber(value: number, maxDecimals = 2): string {
  if (!Number.isFinite(value)) return NOT_AVAILABLE;
  const text = formatter(maxDecimals).format(value);
  return text === '-0' ? '0' : text;
}

/** `17.4, 's'` -> `17.4 s`. */
export function formatWithUnit(value: number, unit: string, maxDecimals = 2): string {
  const number = formatNumber(value, maxDecimals);
  return number === NOT_AVAILABLE ? number : `${number} ${unit}`;
}

/** Seconds with sensible precision: `0.85 s`, `17.4 s`, `163 s`. */
export function formatSeconds(seconds: number): string {
  return formatWithUnit(seconds, 's', Math.abs(seconds) >= 100 ? 0 : Math.abs(seconds) >= 10 ? 1 : 2);
}

/** Milliseconds with sensible precision: `0.45 ms`, `12.3 ms`, `1,900 ms`. */
export function formatMilliseconds(milliseconds: number): string {
  return formatWithUnit(milliseconds, 'ms', Math.abs(milliseconds) >= 100 ? 0 : Math.abs(milliseconds) >= 10 ? 1 : 2);
}

/**
 * A probability as a percentage with enough decimals to show where the nines stop:
 * `0.999702` -> `99.9702%`, `0.99` -> `99%`, `0.5` -> `50%`.
 */
export function formatPercent(fraction: number): string {
  if (!Number.isFinite(fraction)) return NOT_AVAILABLE;
  const shortfall = 1 - fraction;
  // Enough decimals for the leading digits of the shortfall to show: `99.9702%` rather than `99.97%`.
  const decimals = shortfall > 0 ? Math.min(10, Math.max(0, Math.ceil(-Math.log10(shortfall)))) : 0;
  return `${formatNumber(fraction * 100, decimals)}%`;
}

/** Minutes as the largest sensible unit: `0.5 s`, `52.6 min`, `8.8 h`, `3.7 days`. */
export function formatMinutes(minutes: number): string {
  if (!Number.isFinite(minutes)) return NOT_AVAILABLE;
  if (minutes < 1) return formatWithUnit(minutes * 60, 's', 1);
  if (minutes < 120) return formatWithUnit(minutes, 'min', 1);
  if (minutes < 48 * 60) return formatWithUnit(minutes / 60, 'h', 1);
  return formatWithUnit(minutes / (24 * 60), 'days', 1);
}

/** `yes` / `no`. */
export function formatYesNo(value: boolean): string {
  return value ? 'yes' : 'no';
}
