import {
  BarController,
  BarElement,
  CategoryScale,
  Chart,
  Legend,
  LinearScale,
  LineController,
  LineElement,
  PointElement,
  Tooltip,
  type ChartConfiguration,
} from 'chart.js';
import type { ChartSpec } from './types';

// Only what the calculators draw is registered, so the bundler leaves the rest of chart.js out.
Chart.register(LineController, BarController, LineElement, PointElement, BarElement, CategoryScale, LinearScale, Legend, Tooltip);

type Colours = ReturnType<typeof themeColours>;

interface Drawn {
  chart: Chart;
  spec: ChartSpec;
  colours: Colours;
}

const drawn = new Map<HTMLCanvasElement, Drawn>();

/** Theme colours, read from Starlight's custom properties when a chart is created (again after a theme change). */
function themeColours(element: Element): { text: string; grid: string; series: string[]; highlight: string } {
  const style = getComputedStyle(element);
  const read = (name: string, fallback: string) => style.getPropertyValue(name).trim() || fallback;
  return {
    text: read('--sl-color-text', '#333'),
    grid: read('--sl-color-hairline-light', '#ccc'),
    series: [read('--sl-color-text-accent', '#3b5bdb'), read('--sl-color-orange-high', '#b35900'), read('--sl-color-green-high', '#2b8a3e')],
    highlight: read('--sl-color-red-high', '#c92a2a'),
  };
}

/** The chosen size's label gets a second line, so it is marked by text as well as by colour. */
function labelsOf(spec: ChartSpec): (string | string[])[] {
  return spec.labels.map((label, index) => (index === spec.highlightIndex ? [label, '(yours)'] : label));
}

function chartData(spec: ChartSpec, colours: Colours): ChartConfiguration<'line' | 'bar'>['data'] {
  return {
    labels: labelsOf(spec),
    datasets: spec.series.map((series, index) => {
      const colour = colours.series[index % colours.series.length] ?? colours.text;
      const isCurrent = spec.labels.map((_, labelIndex) => labelIndex === spec.highlightIndex);
      return {
        label: series.label,
        data: [...series.values],
        // The entered size stands out: its bar in the highlight colour with an outline, a bigger point on lines.
        backgroundColor: spec.kind === 'bar' ? isCurrent.map((current) => (current ? colours.highlight : colour)) : colour,
        ...(spec.kind === 'bar'
          ? { borderColor: isCurrent.map((current) => (current ? colours.text : colour)), borderWidth: isCurrent.map((current) => (current ? 3 : 0)) }
          : { borderColor: colour, borderWidth: 2, pointRadius: isCurrent.map((current) => (current ? 6 : 3)) }),
      };
    }),
  };
}

function configuration(spec: ChartSpec, colours: Colours): ChartConfiguration<'line' | 'bar'> {
  return {
    type: spec.kind,
    data: chartData(spec, colours),
    options: {
      animation: false,
      responsive: true,
      maintainAspectRatio: false,
      color: colours.text,
      plugins: {
        legend: { labels: { color: colours.text } },
        tooltip: { enabled: true },
      },
      scales: scales(spec, colours),
    },
  };
}

/**
 * Axes: the value axis always starts at zero (a latency axis that starts at 1.3 ms exaggerates differences),
 * whole-number ticks for counts, and horizontal labels that skip rather than rotate on a narrow screen.
 */
function scales(spec: ChartSpec, colours: Colours) {
  return {
    x: {
      title: { display: true, text: spec.xTitle, color: colours.text },
      ticks: { color: colours.text, maxRotation: 0, autoSkip: true, autoSkipPadding: 6 },
      grid: { color: colours.grid },
    },
    y: {
      beginAtZero: true,
      min: 0,
      ...(spec.yMax === undefined ? {} : { max: spec.yMax }),
      title: { display: true, text: spec.yTitle, color: colours.text },
      ticks: { color: colours.text, ...(spec.integerY ? { precision: 0, stepSize: 1 } : {}) },
      grid: { color: colours.grid },
    },
  };
}

/**
 * Draws `spec` on `canvas`. A chart of the same kind gets only its data replaced (axis titles and colours do not
 * change while typing), which keeps a keystroke's redraw cheap; `recreate` rebuilds it, for a theme change.
 */
export function drawChart(canvas: HTMLCanvasElement, spec: ChartSpec, recreate = false): void {
  const existing = drawn.get(canvas);
  if (existing && existing.spec.kind === spec.kind && !recreate) {
    existing.chart.data = chartData(spec, existing.colours);
    // Axis limits follow the data (a capped chart, a count axis), so they are replaced too.
    if (existing.chart.options) existing.chart.options.scales = scales(spec, existing.colours);
    existing.chart.update('none');
    existing.spec = spec;
    return;
  }
  existing?.chart.destroy();
  const colours = themeColours(canvas);
  drawn.set(canvas, { chart: new Chart(canvas, configuration(spec, colours)), spec, colours });
}

// Starlight switches themes by setting data-theme on <html>; redraw so the colours follow.
new MutationObserver(() => {
  for (const [canvas, { spec }] of drawn) {
    if (canvas.isConnected) drawChart(canvas, spec, true);
    else drawn.delete(canvas);
  }
}).observe(document.documentElement, { attributes: true, attributeFilter: ['data-theme'] });
