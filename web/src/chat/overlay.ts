// Overlay mode for OBS browser sources: /s/:stream?overlay=1. Transparent,
// read-only (no login, no input, no tools), the newest `lines` lines at the
// bottom, each fading out `fade` seconds after it appears (0: never), text
// scaled by `scale`. Values are checked here, where they are used: a value
// that is not a plain number falls back to its default, one out of bounds
// is clamped to the nearest bound.

export interface OverlayOptions {
  fadeSeconds: number;
  lines: number;
  scale: number;
}

const BOUNDS = {
  fade: { min: 0, max: 3_600, default: 30, pattern: /^\d{1,5}$/ },
  lines: { min: 1, max: 150, default: 20, pattern: /^\d{1,5}$/ },
  scale: { min: 0.5, max: 4, default: 1, pattern: /^\d{1,2}(\.\d{1,3})?$/ },
} as const;

/** The overlay's options from the page's query string, or null when the page is not an overlay. */
export function overlayOptions(search: string): OverlayOptions | null {
  const query = new URLSearchParams(search);
  if (query.get('overlay') !== '1') return null;
  return { fadeSeconds: read(query, 'fade'), lines: Math.round(read(query, 'lines')), scale: read(query, 'scale') };
}

function read(query: URLSearchParams, key: keyof typeof BOUNDS): number {
  const bound = BOUNDS[key];
  const raw = query.get(key);
  if (raw === null || !bound.pattern.test(raw)) return bound.default;
  return Math.min(bound.max, Math.max(bound.min, Number(raw)));
}

/** Switches the page's look to the overlay: the stylesheet does the rest from these classes and variables. */
export function applyOverlay(options: OverlayOptions): void {
  const root = document.documentElement;
  root.classList.add('overlay');
  root.style.setProperty('--overlay-scale', String(options.scale));
  if (options.fadeSeconds > 0) {
    root.classList.add('overlay-fades');
    root.style.setProperty('--overlay-fade-after', `${options.fadeSeconds}s`);
  }
}
