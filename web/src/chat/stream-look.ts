import type { Role } from '../shared/wire.ts';
import type { EmoteImage, StreamDisplay } from '../../../src/protocol/stream-images.ts';

/** How the page draws a stream's lines: clickable links or not, and the images it may show. */
export interface StreamLook {
  links: boolean;
  emote(name: string): EmoteImage | undefined;
  badge(role: Role): string | undefined;
}

/** Until the stream's display is read (or if it cannot be): no links, no images, text only. */
export const PLAIN_LOOK: StreamLook = { links: false, emote: () => undefined, badge: () => undefined };

/**
 * Reads GET /api/streams/:s/display. The server lists only images from the
 * origins the operator allows (which the page's CSP img-src also names); the
 * page still keeps only http(s) URLs, so a bad entry can never become a
 * `javascript:` or `data:` source.
 */
export async function loadLook(stream: string): Promise<StreamLook> {
  try {
    const response = await fetch(`/api/streams/${encodeURIComponent(stream)}/display`, { cache: 'no-store' });
    if (!response.ok) return PLAIN_LOOK;
    const display = (await response.json()) as StreamDisplay;
    const emotes = new Map(display.emotes.filter((e) => webUrl(e.url)).map((e) => [e.name, e]));
    const badges = new Map(display.badges.filter((b) => webUrl(b.url)).map((b) => [b.role, b.url]));
    return { links: display.links, emote: (name) => emotes.get(name), badge: (role) => badges.get(role) };
  } catch {
    return PLAIN_LOOK;
  }
}

function webUrl(url: string): boolean {
  try {
    const { protocol } = new URL(url);
    return protocol === 'https:' || protocol === 'http:';
  } catch {
    return false;
  }
}
