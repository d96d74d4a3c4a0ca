import { el } from '../shared/dom.ts';

export interface Series {
  label: string;
  color: string;
  values: ReadonlyArray<number | null>;
}

const TIME_TICKS = 4;
/** Line widths by series order: each later line is thinner, so an earlier one it coincides with still shows on both sides. */
const LINE_WIDTHS = [4, 2, 1];

/**
 * A small line chart on a canvas: one or more series over the same times,
 * y from zero to the largest value seen (or `fixedMax`), the latest values in
 * the heading, a clock-time axis and a legend under it (as page elements, so
 * they never cover a line). Drawn whole on each update; a few hundred points
 * cost nothing.
 */
export class LineChart {
  readonly element: HTMLElement;
  readonly #canvas: HTMLCanvasElement;
  readonly #latest: HTMLElement;
  readonly #axis: HTMLElement;
  readonly #legend: HTMLElement;
  readonly #unit: string;
  readonly #fixedMax: number | undefined;

  constructor(title: string, unit: string, fixedMax?: number) {
    this.#unit = unit;
    this.#fixedMax = fixedMax;
    this.element = el('figure', 'chart');
    this.#canvas = el('canvas');
    this.#canvas.width = 480;
    this.#canvas.height = 160;
    this.#latest = el('span', 'latest');
    const caption = el('figcaption', undefined, title);
    caption.append(this.#latest);
    this.#axis = el('div', 'axis-x');
    this.#legend = el('ul', 'legend');
    this.element.append(caption, this.#canvas, this.#axis, this.#legend);
  }

  /** `times`: when each point was taken (ms since epoch), the same length as the series' values. */
  draw(series: readonly Series[], times: readonly number[]): void {
    const ctx = this.#canvas.getContext('2d');
    if (ctx === null) return;
    const { width, height } = this.#canvas;
    const pad = { left: 44, right: 8, top: 8, bottom: 8 };
    const all = series.flatMap((s) => s.values.filter((v): v is number => v !== null));
    const max = this.#fixedMax ?? niceCeiling(Math.max(1, ...all));
    const points = Math.max(2, ...series.map((s) => s.values.length));
    const x = (i: number): number => pad.left + (i / (points - 1)) * (width - pad.left - pad.right);
    const y = (v: number): number => height - pad.bottom - (v / max) * (height - pad.top - pad.bottom);

    ctx.clearRect(0, 0, width, height);
    ctx.strokeStyle = '#3a3a44';
    ctx.fillStyle = '#9a9aa8';
    ctx.font = '11px system-ui, sans-serif';
    ctx.lineWidth = 1;
    for (const fraction of [0, 0.5, 1]) {
      const value = max * fraction;
      ctx.beginPath();
      ctx.moveTo(pad.left, y(value));
      ctx.lineTo(width - pad.right, y(value));
      ctx.stroke();
      ctx.fillText(formatValue(value), 2, y(value) + 4);
    }
    series.forEach((s, n) => {
      ctx.lineWidth = LINE_WIDTHS[Math.min(n, LINE_WIDTHS.length - 1)]!;
      ctx.strokeStyle = s.color;
      ctx.fillStyle = s.color;
      ctx.beginPath();
      s.values.forEach((v, i) => {
        if (v === null) return;
        const previous = s.values[i - 1] ?? null;
        if (previous !== null) ctx.lineTo(x(i), y(v));
        else ctx.moveTo(x(i), y(v));
        // A value between two gaps (no sends around it) would draw nothing as a line.
        if (previous === null && (s.values[i + 1] ?? null) === null) ctx.fillRect(x(i) - 2, y(v) - 2, 4, 4);
      });
      ctx.stroke();
    });
    this.#drawAxis(times, (i) => (x(i) / width) * 100, points);
    this.#drawLegend(series);
    // The latest values, each in its series' colour.
    this.#latest.replaceChildren(...series.map((s) => {
      const value = el('span', undefined, `${series.length > 1 ? `${s.label} ` : ''}${formatValue(s.values.at(-1) ?? null)}${this.#unit}`);
      value.style.color = s.color;
      return value;
    }));
    this.element.dataset.points = String(points);
  }

  /** Clock times under the plot at evenly spaced points, placed where those points are drawn. */
  #drawAxis(times: readonly number[], leftPercent: (i: number) => number, points: number): void {
    if (times.length < 2) {
      this.#axis.replaceChildren();
      return;
    }
    const ticks: HTMLElement[] = [];
    for (let k = 0; k < TIME_TICKS; k++) {
      const i = Math.round((k * (times.length - 1)) / (TIME_TICKS - 1));
      const tick = el('span', undefined, clock(times[i]!));
      tick.style.left = `${leftPercent(i * ((points - 1) / (times.length - 1)))}%`;
      ticks.push(tick);
    }
    this.#axis.replaceChildren(...ticks);
  }

  #drawLegend(series: readonly Series[]): void {
    if (this.#legend.childElementCount === series.length) return;
    this.#legend.replaceChildren(...series.map((s, n) => {
      const swatch = el('span', 'swatch');
      swatch.style.background = s.color;
      swatch.style.height = `${LINE_WIDTHS[Math.min(n, LINE_WIDTHS.length - 1)]}px`;
      const item = el('li');
      item.append(swatch, el('span', 'label', s.label));
      return item;
    }));
  }
}

function clock(ms: number): string {
  const at = new Date(ms);
  return [at.getHours(), at.getMinutes(), at.getSeconds()].map((n) => String(n).padStart(2, '0')).join(':');
}

function niceCeiling(value: number): number {
  const magnitude = 10 ** Math.floor(Math.log10(value));
  for (const step of [1, 2, 5, 10]) if (value <= step * magnitude) return step * magnitude;
  return 10 * magnitude;
}

function formatValue(value: number | null): string {
  if (value === null) return '–';
  if (value >= 1000) return `${(value / 1000).toFixed(value >= 10_000 ? 0 : 1)}k`;
  return value >= 10 || Number.isInteger(value) ? value.toFixed(0) : value.toFixed(2);
}
