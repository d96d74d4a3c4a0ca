import type { Config } from './settings.ts';

/**
 * The named settings only. The composition root hands each part what it
 * reads, so its wiring shows which settings reach which part (and a part
 * never holds the secrets it has no use for).
 */
export function pick<K extends keyof Config>(config: Config, ...names: K[]): Pick<Config, K> {
  const picked = {} as Pick<Config, K>;
  for (const name of names) picked[name] = config[name];
  return picked;
}
