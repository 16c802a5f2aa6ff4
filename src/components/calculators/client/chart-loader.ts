import type { ChartSpec } from './types';

/** The chart module's surface; chart.js lives behind it in its own chunk. */
export interface ChartModule {
  drawChart(canvas: HTMLCanvasElement, spec: ChartSpec): void;
}

/**
 * Draws the chart only once its figure comes near the viewport: until then chart.js is not even downloaded.
 * `show(spec)` may be called any number of times; before the module has loaded only the newest spec is kept.
 */
export class LazyChart {
  private latest: ChartSpec | undefined;
  private module: ChartModule | undefined;
  private observer: IntersectionObserver | undefined;

  constructor(
    private readonly container: HTMLElement,
    private readonly canvas: HTMLCanvasElement,
  ) {
    if (typeof IntersectionObserver === 'undefined') {
      void this.load();
      return;
    }
    this.observer = new IntersectionObserver(
      (entries) => {
        if (entries.some((entry) => entry.isIntersecting)) {
          this.observer?.disconnect();
          this.observer = undefined;
          void this.load();
        }
      },
      { rootMargin: '200px 0px' },
    );
    this.observer.observe(container);
  }

  show(spec: ChartSpec): void {
    this.latest = spec;
    if (this.module) this.draw(this.module, spec);
  }

  private draw(module: ChartModule, spec: ChartSpec): void {
    module.drawChart(this.canvas, spec);
    this.container.dataset['chartState'] = 'drawn';
  }

  private async load(): Promise<void> {
    try {
      this.module = await import('./chart-render');
    } catch {
      // Without the chart the table below it still carries every number; say so rather than fail silently.
      this.container.dataset['chartState'] = 'failed';
      return;
    }
    this.container.dataset['chartState'] = 'loaded';
    if (this.latest) this.draw(this.module, this.latest);
  }
}
