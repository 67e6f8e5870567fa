// The claims API's explorer endpoints (docs/explorer.md). Every failure becomes an ApiError with a sentence a
// person can read: the API's own {"error","detail"} when it sent one, else what went wrong on the way.

export class ApiError extends Error {
  constructor(status, code, detail) {
    super(detail);
    this.status = status;
    this.code = code;
  }
}

let config = { apiUrl: '' };

export async function loadConfig() {
  try {
    const r = await fetch('./config.json', { cache: 'no-store' });
    if (r.ok) config = { ...config, ...(await r.json()) };
  } catch {
    // no config.json: the API is on the same origin
  }
  return config;
}

export function getConfig() {
  return config;
}

export function apiUrl(path) {
  return (config.apiUrl || '').replace(/\/$/, '') + path;
}

export async function api(path) {
  let response;
  try {
    response = await fetch(apiUrl(path), { headers: { accept: 'application/json' } });
  } catch (e) {
    throw new ApiError(0, 'unreachable', `The explorer API at ${apiUrl(path)} could not be reached (${e.message}).`);
  }
  let body = null;
  const text = await response.text();
  try {
    body = text ? JSON.parse(text) : null;
  } catch {
    // not JSON: a proxy's error page, say
  }
  if (!response.ok) {
    if (body && body.error) throw new ApiError(response.status, body.error, body.detail || body.error);
    throw new ApiError(response.status, 'http_' + response.status, `The explorer API answered ${response.status} for ${path}.`);
  }
  if (body === null) throw new ApiError(response.status, 'not_json', `The explorer API sent no JSON for ${path}.`);
  return body;
}
