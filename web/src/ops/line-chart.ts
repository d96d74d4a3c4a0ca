import { el } from '../shared/dom.ts';

export interface Series {
  label: string;
  color: string;
  values: ReadonlyArray<number | null>;
}

/**
 * A small line chart on a canvas: one or more series over the same x axis,
 * y from zero to the largest value seen (or `fixedMax`), the latest values in
 * the heading. Drawn whole on each update; a few hundred points cost nothing.
 */
export class LineChart {
  readonly element: HTMLElement;
  readonly #canvas: HTMLCanvasElement;
  readonly #latest: HTMLElement;
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
    this.element.append(caption, this.#canvas);
  }

  draw(series: readonly Series[]): void {
    const ctx = this.#canvas.getContext('2d');
    if (ctx === null) return;
    const { width, height } = this.#canvas;
    const pad = { left: 44, right: 8, top: 8, bottom: 18 };
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
    ctx.lineWidth = 2;
    for (const s of series) {
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
    }
    // The latest values double as the legend: each in its series' colour.
    this.#latest.replaceChildren(...series.map((s) => {
      const value = el('span', undefined, `${series.length > 1 ? `${s.label} ` : ''}${formatValue(s.values.at(-1) ?? null)}${this.#unit}`);
      value.style.color = s.color;
      return value;
    }));
    this.element.dataset.points = String(points);
  }
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
