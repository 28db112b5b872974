/** A response as tests read it: JSON when it parses, the text otherwise (CSV, event streams, $count). */
export interface HttpAnswer<T = unknown> {
  status: number;
  headers: Headers;
  body: T;
}

export async function readAnswer<T>(res: Response): Promise<HttpAnswer<T>> {
  const text = await res.text();
  let body: unknown = text;
  try {
    body = text ? JSON.parse(text) : undefined;
  } catch {
    // not JSON: keep the text
  }
  return { status: res.status, headers: res.headers, body: body as T };
}
