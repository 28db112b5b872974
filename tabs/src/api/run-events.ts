import { routes, syncRunEventSchema, type SyncRun } from '@users-sync/api/contract';
import { pathOf, problemFrom, type ApiClient } from './api-client';

/** Splits a Server-Sent Events byte stream into the `data:` payloads of its events. */
export async function* serverSentData(body: ReadableStream<Uint8Array>): AsyncGenerator<string> {
  const reader = body.pipeThrough(new TextDecoderStream() as unknown as TransformStream<Uint8Array, string>).getReader();
  let buffer = '';
  try {
    for (;;) {
      const { value, done } = await reader.read();
      if (done) return;
      buffer += value.replace(/\r\n?/g, '\n');
      let end = buffer.indexOf('\n\n');
      while (end >= 0) {
        const block = buffer.slice(0, end);
        buffer = buffer.slice(end + 2);
        const data = block
          .split('\n')
          .filter((line) => line.startsWith('data:'))
          .map((line) => line.slice(5).replace(/^ /, ''))
          .join('\n');
        if (data) yield data;
        end = buffer.indexOf('\n\n');
      }
    }
  } finally {
    reader.releaseLock();
  }
}

const isOver = (run: SyncRun) => !['queued', 'running'].includes(run.status);

/**
 * Follows one run until it ends, calling `onRun` with every new state. The event stream is
 * read with `fetch` so the bearer token travels in a header, never in a URL (EventSource
 * cannot send one). When the stream breaks (a proxy closes it, the laptop sleeps), it
 * falls back to reading the run, then reopens the stream.
 */
export async function followRun(api: ApiClient, runId: string, onRun: (run: SyncRun) => void, signal: AbortSignal): Promise<SyncRun> {
  let last: SyncRun | undefined;
  for (let attempt = 0; !signal.aborted; attempt += 1) {
    try {
      const response = await api.fetchRaw(pathOf(routes.runEvents, { runId }), { headers: { accept: 'text/event-stream' }, signal });
      if (!response.ok || !response.body) throw await problemFrom(response);
      for await (const data of serverSentData(response.body)) {
        const event = syncRunEventSchema.safeParse(JSON.parse(data));
        if (!event.success) continue;
        last = event.data.run;
        onRun(last);
        if (event.data.type === 'finished') return last;
      }
    } catch (error) {
      if (signal.aborted) break;
      if (attempt >= 5) throw error;
    }
    // The stream ended early: read the run once (it may have ended meanwhile), then retry.
    const run = await api.call('getRun', { params: { runId }, signal });
    last = run;
    onRun(run);
    if (isOver(run)) return run;
    await new Promise((resolve) => setTimeout(resolve, Math.min(500 * 2 ** attempt, 5000)));
  }
  if (!last) throw new DOMException('Stopped following the run', 'AbortError');
  return last;
}
