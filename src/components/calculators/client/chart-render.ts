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

interface Drawn {
  chart: Chart;
  spec: ChartSpec;
}

const drawn = new Map<HTMLCanvasElement, Drawn>();

/** Theme colours, read from Starlight's custom properties each time a chart is drawn. */
function themeColours(element: Element): { text: string; grid: string; series: string[] } {
  const style = getComputedStyle(element);
  const read = (name: string, fallback: string) => style.getPropertyValue(name).trim() || fallback;
  return {
    text: read('--sl-color-text', '#333'),
    grid: read('--sl-color-hairline-light', '#ccc'),
    series: [read('--sl-color-text-accent', '#3b5bdb'), read('--sl-color-orange-high', '#b35900'), read('--sl-color-green-high', '#2b8a3e')],
  };
}

function configuration(canvas: HTMLCanvasElement, spec: ChartSpec): ChartConfiguration<'line' | 'bar'> {
  const colours = themeColours(canvas);
  return {
    type: spec.kind,
    data: {
      labels: [...spec.labels],
      datasets: spec.series.map((series, index) => {
        const colour = colours.series[index % colours.series.length] ?? colours.text;
        return {
          label: series.label,
          data: [...series.values],
          borderColor: colour,
          backgroundColor: colour,
          borderWidth: 2,
          pointRadius: spec.labels.map((_, labelIndex) => (labelIndex === spec.highlightIndex ? 6 : 3)),
        };
      }),
    },
    options: {
      animation: false,
      responsive: true,
      maintainAspectRatio: false,
      color: colours.text,
      plugins: {
        legend: { labels: { color: colours.text } },
        tooltip: { enabled: true },
      },
      scales: {
        x: { title: { display: true, text: spec.xTitle, color: colours.text }, ticks: { color: colours.text }, grid: { color: colours.grid } },
        y: { title: { display: true, text: spec.yTitle, color: colours.text }, ticks: { color: colours.text }, grid: { color: colours.grid } },
      },
    },
  };
}

/**
 * Draws `spec` on `canvas`. A chart of the same kind is updated in place (cheap enough for every keystroke);
 * a different kind is destroyed first, because chart.js cannot change a chart's type.
 */
export function drawChart(canvas: HTMLCanvasElement, spec: ChartSpec): void {
  const existing = drawn.get(canvas);
  const config = configuration(canvas, spec);
  if (existing && existing.spec.kind === spec.kind) {
    existing.chart.data = config.data;
    if (config.options) existing.chart.options = config.options;
    existing.chart.update('none');
    existing.spec = spec;
    return;
  }
  existing?.chart.destroy();
  drawn.set(canvas, { chart: new Chart(canvas, config), spec });
}

// Starlight switches themes by setting data-theme on <html>; redraw so the colours follow.
new MutationObserver(() => {
  for (const [canvas, { spec }] of drawn) {
    if (canvas.isConnected) drawChart(canvas, spec);
    else drawn.delete(canvas);
  }
}).observe(document.documentElement, { attributes: true, attributeFilter: ['data-theme'] });
