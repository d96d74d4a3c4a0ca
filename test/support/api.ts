/** One HTTP API call as a client makes it: optional bearer token, JSON body. */
export function apiCall(baseUrl: string, method: string, path: string, token?: string, body?: unknown): Promise<Response> {
  const headers: Record<string, string> = {};
  if (token !== undefined) headers.authorization = `Bearer ${token}`;
  if (body !== undefined) headers['content-type'] = 'application/json';
  return fetch(baseUrl + path, { method, headers, body: body === undefined ? undefined : JSON.stringify(body) });
}
