import type { Answer, HeldView, Message, ServerFrame } from '../shared/wire.ts';
import { byId, el } from '../shared/dom.ts';
import { messageRow } from './message-row.ts';
import { apiGet } from './moderator-api.ts';

export interface ReviewQueueDeps {
  stream: string;
  request: (frame: Record<string, unknown>) => Promise<Answer>;
  token: () => string | null;
  report: (text: string) => void;
}

interface Report {
  id: string;
  messageId: string;
  reason: string;
  reporter: { id: string; name: string };
  ts: number;
}

interface ReportContext {
  report: Report;
  message: Message | null;
  before: Message[];
  after: Message[];
}

const RESOLUTIONS = [
  { action: 'dismiss', label: 'Resolve' },
  { action: 'delete', label: 'Delete' },
  { action: 'timeout', label: 'Timeout 10 min' },
  { action: 'ban', label: 'Ban' },
] as const;

/**
 * The moderator's queues: lines held for review (live from `held` and
 * `reviewed` frames, filled over HTTP when the panel opens) with approve and
 * deny, and viewers' reports with the reported line in its context and
 * resolve / delete / timeout / ban in one click. Every piece of user text is
 * a text node; the server checks every action's roles.
 */
export class ReviewQueue {
  readonly #d: ReviewQueueDeps;
  readonly #held = byId<HTMLUListElement>('held-queue');
  readonly #reports = byId<HTMLUListElement>('reports-queue');

  constructor(deps: ReviewQueueDeps) {
    this.#d = deps;
    byId('reports-refresh').addEventListener('click', () => void this.loadReports());
  }

  /** Fills both queues from the server (the panel opened, or the page rejoined). */
  async load(): Promise<void> {
    const held = await this.#get<{ held: HeldView[] }>('held');
    if (held !== undefined) {
      this.#held.replaceChildren();
      for (const line of held.held) this.#addHeld(line);
    }
    await this.loadReports();
  }

  /** A `held` or `reviewed` frame: the queue follows it live. */
  take(frame: Extract<ServerFrame, { type: 'held' | 'reviewed' }>): void {
    if (frame.stream !== this.#d.stream) return;
    if (frame.type === 'held') this.#addHeld(frame);
    else this.#held.querySelector(`[data-held="${CSS.escape(frame.id)}"]`)?.remove();
  }

  async loadReports(): Promise<void> {
    const listed = await this.#get<{ reports: Report[] }>('reports');
    if (listed === undefined) return;
    this.#reports.replaceChildren();
    for (const report of listed.reports) {
      const context = await this.#get<ReportContext>(`reports/${encodeURIComponent(report.id)}`);
      if (context !== undefined) this.#addReport(context);
    }
  }

  #addHeld(line: HeldView): void {
    if (this.#held.querySelector(`[data-held="${CSS.escape(line.id)}"]`) !== null) return;
    const item = el('li', 'queue-item');
    item.dataset.held = line.id;
    // Its time is when it was held.
    const row = messageRow({ ...line, ts: line.heldAt });
    const reason = el('span', 'queue-reason', line.reason);
    const approve = el('button', 'approve', 'Approve');
    const deny = el('button', 'deny', 'Deny');
    approve.type = deny.type = 'button';
    approve.addEventListener('click', () => void this.#decide(item, 'approve', line.id));
    deny.addEventListener('click', () => void this.#decide(item, 'deny', line.id));
    item.append(row, reason, approve, deny);
    this.#held.append(item);
  }

  async #decide(item: HTMLElement, action: 'approve' | 'deny', id: string): Promise<void> {
    const answer = await this.#d.request({ type: 'mod', action, id });
    if (answer.type === 'ack') item.remove();
    else this.#d.report(`Could not ${action}: ${answer.message}`);
  }

  #addReport(context: ReportContext): void {
    const item = el('li', 'queue-item report');
    item.dataset.report = context.report.id;
    const lines = el('ol', 'report-context');
    for (const m of context.before) lines.append(messageRow(m));
    const reported = context.message === null ? el('li', 'message gone', '(the reported line is gone)') : messageRow(context.message);
    reported.classList.add('reported');
    lines.append(reported);
    for (const m of context.after) lines.append(messageRow(m));
    const reason = el('p', 'queue-reason', `${context.report.reporter.name}: ${context.report.reason}`);
    item.append(lines, reason);
    for (const { action, label } of RESOLUTIONS) {
      const button = el('button', `resolve-${action}`, label);
      button.type = 'button';
      button.addEventListener('click', () => void this.#resolve(item, context.report.id, action));
      item.append(button);
    }
    this.#reports.append(item);
  }

  async #resolve(item: HTMLElement, id: string, action: string): Promise<void> {
    const response = await fetch(this.#url(`reports/${encodeURIComponent(id)}/resolve`), {
      method: 'POST',
      headers: { authorization: `Bearer ${this.#d.token() ?? ''}`, 'content-type': 'application/json' },
      body: JSON.stringify({ action }),
    });
    if (response.ok) {
      item.remove();
      return;
    }
    const refusal = (await response.json().catch(() => ({}))) as { message?: string };
    this.#d.report(`Could not resolve the report: ${refusal.message ?? response.status}`);
  }

  #get<T>(path: string): Promise<T | undefined> {
    return apiGet<T>(this.#d, path);
  }

  #url(path: string): string {
    return `/api/streams/${encodeURIComponent(this.#d.stream)}/${path}`;
  }
}
