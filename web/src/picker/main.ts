// The stream picker, /: type a stream name, or pick one that signed-in viewers watch now.
import { STREAM_NAME } from '../../../src/protocol/types.ts';
import { byId, el } from '../shared/dom.ts';

const form = byId<HTMLFormElement>('pick');
const input = byId<HTMLInputElement>('pick-name');
const hint = byId('pick-status');
form.addEventListener('submit', (event) => {
  event.preventDefault();
  const name = input.value.trim();
  if (STREAM_NAME.test(name)) location.assign(`/s/${name}`);
  else hint.textContent = 'A stream name is 1-64 letters, digits, _ or -.';
});

async function showLive(): Promise<void> {
  const list = byId('live');
  const response = await fetch('/api/streams');
  if (!response.ok) return;
  const { streams } = (await response.json()) as { streams: Array<{ stream: string; viewers: number }> };
  list.replaceChildren(...streams.map(({ stream, viewers }) => {
    const item = el('li');
    const link = el('a', undefined, stream);
    link.href = `/s/${encodeURIComponent(stream)}`;
    item.append(link, el('span', 'viewers', ` ${viewers.toLocaleString()} watching`));
    return item;
  }));
  byId('live-empty').hidden = streams.length > 0;
}

void showLive();
