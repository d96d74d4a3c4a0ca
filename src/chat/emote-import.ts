// Emote sets exported from the common third-party services, turned into
// Chorus emote images. The broadcaster uploads the JSON the service's API
// answers (the server fetches nothing); anything unexpected in it is
// skipped, never trusted: each entry needs a usable name and an https URL.
import { MAX_EMOTE_IMAGES, type EmoteImage } from '../protocol/stream-images.ts';
import { MAX_EMOTE_NAME_LENGTH } from '../protocol/schemas.ts';
import { imageUrlProblem } from './image-urls.ts';

export const IMPORT_FORMATS = ['7tv', 'bttv', 'ffz'] as const;
export type ImportFormat = (typeof IMPORT_FORMATS)[number];

export interface ImportResult {
  emotes: EmoteImage[];
  /** Entries left out: no name, a bad URL, a duplicate name, or beyond MAX_EMOTE_IMAGES. */
  skipped: number;
}

type Json = unknown;

/** Reads an emote set in `format`; the first entry of a name wins. */
export function importEmotes(format: ImportFormat, data: Json): ImportResult {
  const candidates = format === '7tv' ? sevenTv(data) : format === 'bttv' ? bttv(data) : ffz(data);
  const emotes: EmoteImage[] = [];
  const seen = new Set<string>();
  let skipped = 0;
  for (const candidate of candidates) {
    if (candidate === undefined || !usableName(candidate.name) || imageUrlProblem(candidate.url) !== undefined
      || seen.has(candidate.name) || emotes.length >= MAX_EMOTE_IMAGES) {
      skipped++;
      continue;
    }
    seen.add(candidate.name);
    emotes.push(candidate);
  }
  return { emotes, skipped };
}

/** An emote name matches one whitespace-free token of a message (src/chat/emotes.ts). */
export function usableName(name: string): boolean {
  return name.length > 0 && [...name].length <= MAX_EMOTE_NAME_LENGTH && !/\s/.test(name);
}

// 7TV v3: an emote set `{emotes:[...]}`, or a user connection `{emote_set:{emotes:[...]}}`.
// Each emote: `{name, data:{animated, host:{url:"//cdn.7tv.app/emote/ID", files:[{name:"1x.webp"}...]}}}`;
// `name` is the set's alias, `data.name` the original.
function sevenTv(data: Json): Array<EmoteImage | undefined> {
  const set = field(data, 'emote_set') ?? data;
  return list(field(set, 'emotes')).map((emote) => {
    const details = field(emote, 'data');
    const host = field(details, 'host');
    const base = text(field(host, 'url'));
    const files = list(field(host, 'files')).map((f) => text(field(f, 'name'))).filter((n): n is string => n !== undefined);
    const file = files.find((n) => n === '2x.webp') ?? files.find((n) => n.endsWith('.webp')) ?? files[0];
    const name = text(field(emote, 'name')) ?? text(field(details, 'name'));
    if (name === undefined || base === undefined || file === undefined || !/^[\w.-]+$/.test(file)) return undefined;
    return { name, url: `${absolute(base)}/${file}`, animated: field(details, 'animated') === true };
  });
}

// BTTV: a channel `{channelEmotes:[...], sharedEmotes:[...]}` or the global list `[...]`.
// Each emote: `{id, code, imageType, animated}`; the image is cdn.betterttv.net/emote/ID/2x.
function bttv(data: Json): Array<EmoteImage | undefined> {
  const emotes = Array.isArray(data) ? data : [...list(field(data, 'channelEmotes')), ...list(field(data, 'sharedEmotes'))];
  return emotes.map((emote) => {
    const id = text(field(emote, 'id'));
    const name = text(field(emote, 'code'));
    if (id === undefined || name === undefined || !/^[A-Za-z0-9]+$/.test(id)) return undefined;
    return { name, url: `https://cdn.betterttv.net/emote/${id}/2x`, animated: field(emote, 'animated') === true || field(emote, 'imageType') === 'gif' };
  });
}

// FFZ: a room `{room:{...}, sets:{ID:{emoticons:[...]}}}`, the global `{default_sets, sets}`, or one set `{set:{emoticons:[...]}}`.
// Each emoticon: `{name, urls:{"1":URL,"2":URL,"4":URL}, animated?:{"1":URL,...}}`; URLs may be protocol-relative.
function ffz(data: Json): Array<EmoteImage | undefined> {
  const one = field(data, 'set');
  const sets = one !== undefined ? [one] : Object.values(objectOf(field(data, 'sets')));
  return sets.flatMap((set) => list(field(set, 'emoticons'))).map((emote) => {
    const name = text(field(emote, 'name'));
    const animated = objectOf(field(emote, 'animated'));
    const urls = Object.keys(animated).length > 0 ? animated : objectOf(field(emote, 'urls'));
    const url = text(urls['2']) ?? text(urls['1']);
    if (name === undefined || url === undefined) return undefined;
    return { name, url: absolute(url), animated: Object.keys(animated).length > 0 };
  });
}

function field(value: Json, key: string): Json {
  return value !== null && typeof value === 'object' && !Array.isArray(value) && Object.hasOwn(value, key) ? (value as Record<string, Json>)[key] : undefined;
}

function list(value: Json): Json[] {
  return Array.isArray(value) ? value : [];
}

function objectOf(value: Json): Record<string, Json> {
  return value !== null && typeof value === 'object' && !Array.isArray(value) ? (value as Record<string, Json>) : {};
}

function text(value: Json): string | undefined {
  return typeof value === 'string' ? value : undefined;
}

/** A protocol-relative URL (`//cdn.example/x`), as 7TV and FFZ write them, taken as https. */
function absolute(url: string): string {
  return url.startsWith('//') ? `https:${url}` : url;
}
