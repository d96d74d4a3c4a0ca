// Optional timestamps: every row carries its time (data-time), which the
// stylesheet draws only when the reader turns them on; the choice is
// remembered in this browser.
const KEY = 'chorus.timestamps';
const SHOWN_CLASS = 'show-times';

/** A message's local time as HH:MM. */
export function timeOf(ts: number): string {
  const at = new Date(ts);
  return `${String(at.getHours()).padStart(2, '0')}:${String(at.getMinutes()).padStart(2, '0')}`;
}

/** Wires the toggle to the list: the class on the list shows or hides every row's time at once. */
export function wireTimestampToggle(toggle: HTMLInputElement, list: HTMLElement): void {
  toggle.checked = readChoice();
  list.classList.toggle(SHOWN_CLASS, toggle.checked);
  toggle.addEventListener('change', () => {
    list.classList.toggle(SHOWN_CLASS, toggle.checked);
    try {
      localStorage.setItem(KEY, toggle.checked ? '1' : '0');
    } catch {
      // Storage may be off (private mode, a sandboxed frame): the toggle still works for this visit.
    }
  });
}

function readChoice(): boolean {
  try {
    return localStorage.getItem(KEY) === '1';
  } catch {
    return false;
  }
}
