/** What a moderator's HTTP reads need: the stream, the token, and where to say a read failed. */
export interface ApiDeps {
  stream: string;
  token: () => string | null;
  report: (text: string) => void;
}

/** GET /api/streams/:stream/<path> with the moderator's token; a refusal is reported and yields undefined. */
export async function apiGet<T>(d: ApiDeps, path: string): Promise<T | undefined> {
  const response = await fetch(`/api/streams/${encodeURIComponent(d.stream)}/${path}`, { headers: { authorization: `Bearer ${d.token() ?? ''}` } });
  if (response.ok) return (await response.json()) as T;
  d.report(`Could not load ${path.split(/[/?]/)[0]} (${response.status}).`);
  return undefined;
}
