// Name colours come from tokens and may be dark on the dark page. Each is
// mixed toward white just enough to reach WCAG's 4.5:1 contrast on the
// page's lightest row background, so a name is never unreadable yet keeps
// its hue; a colour that already reads is kept as it is.

/** The hover background of a row (--panel), the lighter of the two a name sits on. */
export const ROW_BACKGROUND = '#1f1f23';
const MIN_CONTRAST = 4.5;
const CACHE_LIMIT = 512;

type Rgb = [number, number, number];

const cache = new Map<string, string>();

/** `color` (#rrggbb) as shown on `background` (#rrggbb): itself, or the least lightened version that reads. */
export function readableColor(color: string, background = ROW_BACKGROUND): string {
  const key = color + background;
  const known = cache.get(key);
  if (known !== undefined) return known;
  const base = parse(color);
  const back = luminance(parse(background));
  let shown = color;
  if (contrast(luminance(base), back) < MIN_CONTRAST) {
    // Twenty steps toward white: the first that reads (white itself always does on a dark row).
    for (let step = 1; step <= 20; step++) {
      const mixed = base.map((c) => Math.round(c + ((255 - c) * step) / 20)) as Rgb;
      if (contrast(luminance(mixed), back) >= MIN_CONTRAST || step === 20) {
        shown = format(mixed);
        break;
      }
    }
  }
  if (cache.size >= CACHE_LIMIT) cache.clear();
  cache.set(key, shown);
  return shown;
}

function parse(hex: string): Rgb {
  return [1, 3, 5].map((i) => Number.parseInt(hex.slice(i, i + 2), 16)) as Rgb;
}

function format(rgb: Rgb): string {
  return `#${rgb.map((c) => c.toString(16).padStart(2, '0')).join('')}`;
}

function luminance(rgb: Rgb): number {
  const [r, g, b] = rgb.map((c) => {
    const s = c / 255;
    return s <= 0.03928 ? s / 12.92 : ((s + 0.055) / 1.055) ** 2.4;
  }) as Rgb;
  return 0.2126 * r + 0.7152 * g + 0.0722 * b;
}

function contrast(a: number, b: number): number {
  return (Math.max(a, b) + 0.05) / (Math.min(a, b) + 0.05);
}
