// Names of a stream's Redis keys and bus channel. Every one carries the
// stream as its hash tag, so on Redis Cluster they share one slot: a script
// may touch several keys of a stream and publish on its channel atomically.

/** The prefix of a stream's keys: `<prefix>{<stream>}:` followed by the key's own name. */
export function streamKey(keyPrefix: string, stream: string): string {
  return `${keyPrefix}{${stream}}:`;
}

/** The stream's live bus channel. */
export function busChannel(keyPrefix: string, stream: string): string {
  return `${keyPrefix}bus:{${stream}}`;
}

/** User ids are opaque (from tokens); encoded so none can reach into another key's name. */
export function userPart(userId: string): string {
  return encodeURIComponent(userId);
}
