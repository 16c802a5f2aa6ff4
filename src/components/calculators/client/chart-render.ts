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
function themeColours(element: Element): { text: string; grid: string; series: string[] } {
  const style = getComputedStyle(element);
  const read = (name: string, fallback: string) => style.getPropertyValue(name).trim() || fallback;
  return {
    text: read('--sl-color-text', '#333'),
    grid: read('--sl-color-hairline-light', '#ccc'),
    series: [read('--sl-color-text-accent', '#3b5bdb'), read('--sl-color-orange-high', '#b35900'), read('--sl-color-green-high', '#2b8a3e')],
  };
}

function chartData(spec: ChartSpec, colours: Colours): ChartConfiguration<'line' | 'bar'>['data'] {
  return {
    labels: [...spec.labels],
    datasets: spec.series.map((series, index) => {
      const colour = colours.series[index % colours.series.length] ?? colours.text;
      const isCurrent = spec.labels.map((_, labelIndex) => labelIndex === spec.highlightIndex);
      return {
        label: series.label,
        data: [...series.values],
        backgroundColor: colour,
        // The entered size stands out: a bigger point on lines, an outline in the text colour on bars.
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
      scales: {
        x: { title: { display: true, text: spec.xTitle, color: colours.text }, ticks: { color: colours.text }, grid: { color: colours.grid } },
        y: { title: { display: true, text: spec.yTitle, color: colours.text }, ticks: { color: colours.text }, grid: { color: colours.grid } },
      },
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
