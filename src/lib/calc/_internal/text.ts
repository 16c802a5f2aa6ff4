/**
 * Number wording for the sentences the library returns. Pure (Intl only), so the same text is produced at build
 * time and in the browser. Every function returns readable text for finite input; callers pass validated values.
 */

const formatters = new Map<string, Intl.NumberFormat>();

function formatter(options: Intl.NumberFormatOptions): Intl.NumberFormat {
  const key = JSON.stringify(options);
  let cached = formatters.get(key);
  if (!cached) {
    cached = new Intl.NumberFormat('en-US', options);
    formatters.set(key, cached);
  }
  return cached;
}

/** At most `maxDecimals` decimals, trailing zeros dropped: `1234.5` -> `1,234.5`. */
export function decimals(value: number, maxDecimals: number): string {
  const text = formatter({ maximumFractionDigits: maxDecimals }).format(value);
  return text === '-0' ? '0' : text;
}

/** Two significant figures, enough for a figure read from a model: `2.6`, `0.53`, `1,900`. */
export function twoFigures(value: number): string {
  if (value === 0) return '0';
  return decimals(Number(value.toPrecision(2)), 6);
}

/** Milliseconds as people say them: `0.85 ms`, `12 ms`, `1.9 s` (two significant figures). */
export function milliseconds(valueMs: number): string {
  if (Math.abs(valueMs) >= 1000) return `${twoFigures(valueMs / 1000)} s`;
  return `${twoFigures(valueMs)} ms`;
}

/** Seconds with sensible precision: `0.85 s`, `17 s`, `2.5 min`. */
export function seconds(value: number): string {
  if (Math.abs(value) >= 120) return `${twoFigures(value / 60)} min`;
  return `${twoFigures(value)} s`;
}

/** A duration in minutes as the largest sensible unit, two significant figures: `32 s`, `53 min`, `8.8 hours`. */
export function minutesAsDuration(minutes: number): string {
  if (minutes < 1) return `${twoFigures(minutes * 60)} s`;
  if (minutes < 120) return `${twoFigures(minutes)} min`;
  if (minutes < 48 * 60) return `${twoFigures(minutes / 60)} hours`;
  return `${twoFigures(minutes / (24 * 60))} days`;
}

/** `1 member`, `2 members`. */
export function plural(count: number, singular: string, pluralForm = `${singular}s`): string {
  return `${decimals(count, 0)} ${count === 1 ? singular : pluralForm}`;
}

/** Bytes in binary units with three significant figures: `512 B`, `1.5 GiB`. */
export function bytes(value: number): string {
  const units = ['B', 'KiB', 'MiB', 'GiB', 'TiB'];
  let scaled = value;
  let unit = 0;
  while (Math.abs(scaled) >= 1024 && unit < units.length - 1) {
    scaled /= 1024;
    unit += 1;
  }
  return `${decimals(Number(scaled.toPrecision(3)), 2)} ${units[unit]}`;
}
