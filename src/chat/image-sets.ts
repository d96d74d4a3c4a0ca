import type { Logger } from 'pino';
import { rolesIn, type Identity } from '../auth/identity.ts';
import { ChatError } from '../protocol/errors.ts';
import { copyImages, MAX_EMOTE_IMAGES, type BadgeImage, type EmoteImage, type StreamDisplay, type StreamImages } from '../protocol/stream-images.ts';
import { asRefusal } from './backend-error.ts';
import { importEmotes, usableName, type ImportFormat } from './emote-import.ts';
import { imageUrlProblem, type ImageOrigins } from './image-urls.ts';
import type { ModeratorActions } from './moderator-actions.ts';
import type { ModeratorRateLimit } from './moderator-rate-limit.ts';
import type { StreamSettings } from './stream-settings.ts';

export interface ImageSetsDeps {
  settings: StreamSettings;
  /** Checks the caller moderates the stream (roles granted on the server included). */
  moderation: ModeratorActions;
  /** Writes count as moderator actions. */
  writeLimit: ModeratorRateLimit;
  origins: ImageOrigins;
  logger: Logger;
}

export interface ImportOutcome {
  images: StreamImages;
  imported: number;
  skipped: number;
}

/**
 * A stream's emote and badge images (an extension): the broadcaster replaces
 * or imports them, moderators read them, and anyone reads the display the
 * page draws with, where only images from the operator's allowed origins
 * appear. Their emote names count as the stream's emotes in every message.
 */
export class ImageSets {
  readonly #d: ImageSetsDeps;

  constructor(deps: ImageSetsDeps) {
    this.#d = deps;
  }

  async get(identity: Identity | null, stream: string): Promise<StreamImages> {
    await this.#d.moderation.authorize(identity, stream);
    return copyImages((await this.#backed(() => this.#d.settings.of(stream))).images);
  }

  /** Replaces the stream's images, after checking every entry. */
  async set(identity: Identity | null, stream: string, images: StreamImages): Promise<StreamImages> {
    await this.#authorizeBroadcaster(identity, stream);
    const checked = checkImages(images);
    await this.#backed(() => this.#d.settings.setImages(stream, checked));
    return checked;
  }

  /** Adds an exported third-party set: its entries replace stored ones of the same name, the rest stay. */
  async importSet(identity: Identity | null, stream: string, format: ImportFormat, data: unknown): Promise<ImportOutcome> {
    await this.#authorizeBroadcaster(identity, stream);
    const { emotes: imported, skipped } = importEmotes(format, data);
    if (imported.length === 0) throw new ChatError('invalid', `no usable emote in this ${format} set (${skipped} skipped)`);
    const current = (await this.#backed(() => this.#d.settings.of(stream))).images;
    const names = new Set(imported.map((e) => e.name));
    const emotes = [...current.emotes.filter((e) => !names.has(e.name)), ...imported];
    if (emotes.length > MAX_EMOTE_IMAGES) throw new ChatError('invalid', `a stream holds at most ${MAX_EMOTE_IMAGES} emote images; this import would make ${emotes.length}`);
    const images = { emotes, badges: current.badges.map((b) => ({ ...b })) };
    await this.#backed(() => this.#d.settings.setImages(stream, images));
    return { images, imported: imported.length, skipped };
  }

  /** What the page draws with: whether links are clickable, and the images whose origin is allowed. */
  async display(stream: string): Promise<StreamDisplay> {
    const { rules, images } = await this.#backed(() => this.#d.settings.of(stream));
    const allowed = this.#d.origins;
    return {
      links: !rules.blockLinks,
      emotes: images.emotes.filter((e) => allowed.allows(e.url)).map((e) => ({ ...e })),
      badges: images.badges.filter((b) => allowed.allows(b.url)).map((b) => ({ ...b })),
    };
  }

  async #authorizeBroadcaster(identity: Identity | null, stream: string): Promise<void> {
    this.#d.writeLimit.check(identity);
    const actor = await this.#d.moderation.authorize(identity, stream);
    if (!rolesIn(actor, stream).includes('broadcaster')) throw new ChatError('forbidden', 'only the broadcaster of this stream may change its images');
  }

  async #backed<T>(work: () => Promise<T>): Promise<T> {
    try {
      return await work();
    } catch (err) {
      throw asRefusal(this.#d.logger, err);
    }
  }
}

/** The images as stored, or the refusal naming the first bad entry. Counts and lengths are the schema's (src/http/image-routes.ts). */
function checkImages(images: StreamImages): StreamImages {
  const names = new Set<string>();
  images.emotes.forEach((emote: EmoteImage, i) => {
    if (!usableName(emote.name)) throw new ChatError('invalid', `emotes[${i}].name must be 1-64 characters without spaces`);
    if (names.has(emote.name)) throw new ChatError('invalid', `emotes[${i}].name ${emote.name} is listed twice`);
    names.add(emote.name);
    urlCheck(`emotes[${i}].url`, emote.url);
  });
  const roles = new Set<string>();
  images.badges.forEach((badge: BadgeImage, i) => {
    if (roles.has(badge.role)) throw new ChatError('invalid', `badges[${i}].role ${badge.role} is listed twice`);
    roles.add(badge.role);
    urlCheck(`badges[${i}].url`, badge.url);
  });
  return copyImages(images);
}

function urlCheck(field: string, url: string): void {
  const problem = imageUrlProblem(url);
  if (problem !== undefined) throw new ChatError('invalid', `${field} ${problem}`);
}
