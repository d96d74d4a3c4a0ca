// A stream's images (an extension): its emote set with image URLs and its
// badge images, managed by the broadcaster; and what the chat page reads to
// draw the stream's lines (GET /api/streams/:s/display).
import type { Role } from './types.ts';

export interface EmoteImage {
  name: string;
  /** https (http only on a loopback host); shown only when its origin is in the operator's imageOrigins. */
  url: string;
  animated: boolean;
}

export interface BadgeImage {
  role: Role;
  url: string;
}

/** What the broadcaster stores (GET/PUT /api/streams/:s/images). */
export interface StreamImages {
  emotes: EmoteImage[];
  badges: BadgeImage[];
}

/** What the page draws with (GET /api/streams/:s/display): only images from allowed origins. */
export interface StreamDisplay {
  /** The stream's rules allow links (blockLinks off): the page makes http(s) URLs clickable. */
  links: boolean;
  emotes: EmoteImage[];
  badges: BadgeImage[];
}

export const EMPTY_IMAGES: Readonly<StreamImages> = Object.freeze({ emotes: [], badges: [] });
export const MAX_EMOTE_IMAGES = 500;
export const MAX_IMAGE_URL_LENGTH = 512;

/** A deep copy field by field, so stray keys of a parsed body or a stored record never travel on. */
export function copyImages(images: StreamImages): StreamImages {
  return {
    emotes: images.emotes.map(({ name, url, animated }) => ({ name, url, animated })),
    badges: images.badges.map(({ role, url }) => ({ role, url })),
  };
}
