import { MAX_ID_LENGTH } from '../../protocol/schemas.ts';
import { STREAM_NAME } from '../../protocol/types.ts';
import { YouTubeError } from './youtube-errors.ts';

// YouTube names a message or a ban by one id, with no liveChatId beside it
// (DELETE ?id=...), so each id here carries its stream: `<stream>.<id>`.
// A stream name has no dot, so the first one splits them.

/** The longest id this layer reads: a stream name, the dot, a Chorus id. */
export const MAX_RESOURCE_ID_LENGTH = 64 + 1 + MAX_ID_LENGTH;

export function resourceId(stream: string, id: string): string {
  return `${stream}.${id}`;
}

/** The stream and the Chorus id (a message's, a user's) of a resource id; `notFound` under `reason` when it names none. */
export function parseResourceId(value: string, reason: string): { stream: string; id: string } {
  const dot = value.indexOf('.');
  const stream = value.slice(0, dot);
  const id = value.slice(dot + 1);
  if (dot === -1 || !STREAM_NAME.test(stream) || id.length === 0 || id.length > MAX_ID_LENGTH) {
    throw new YouTubeError(404, 'youtube.liveChat', reason, `no such resource: ${JSON.stringify(value.slice(0, 32))} is not an id this server gave`);
  }
  return { stream, id };
}
