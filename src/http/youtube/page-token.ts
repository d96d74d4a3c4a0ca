import { YouTubeError } from './youtube-errors.ts';

// Page tokens are opaque to clients, as YouTube's are: base64url of a kind and a
// position. Messages page by the Chorus seq cursor (the `after` of HTTP polling),
// moderators by an offset; a token of one kind is refused by the other.

export type PageKind = 'seq' | 'offset';

export function encodePageToken(kind: PageKind, position: number): string {
  return Buffer.from(`${kind}:${position}`).toString('base64url');
}

export function decodePageToken(kind: PageKind, token: string): number {
  const match = /^([a-z]+):(0|[1-9][0-9]{0,15})$/.exec(Buffer.from(token, 'base64url').toString('latin1'));
  const position = match === null ? NaN : Number(match[2]);
  if (match === null || match[1] !== kind || !Number.isSafeInteger(position)) {
    throw new YouTubeError(400, 'youtube.liveChat', 'invalidPageToken', 'pageToken is not a nextPageToken this server gave for this list');
  }
  return position;
}
