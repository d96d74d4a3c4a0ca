import { createHash } from 'node:crypto';
import type { RedisClient } from './redis-client.ts';

/**
 * A Lua script run by its SHA1 (EVALSHA), so the script's text crosses the
 * network only when Redis does not know it yet (first use, or after a
 * restart emptied its script cache).
 */
export class LuaScript {
  readonly #source: string;
  readonly #sha: string;

  constructor(source: string) {
    this.#source = source;
    this.#sha = createHash('sha1').update(source).digest('hex');
  }

  async run(client: RedisClient, keys: string[], args: string[]): Promise<unknown> {
    try {
      return await client.evalSha(this.#sha, { keys, arguments: args });
    } catch (err) {
      if (!(err instanceof Error) || !err.message.startsWith('NOSCRIPT')) throw err;
      return client.eval(this.#source, { keys, arguments: args });
    }
  }
}
