import type { Request, Response } from 'restify';
import { finishedStatuses, type SyncRun } from '../../store';
import type { SyncRunEvent } from '../../contract';
import { syncRunRepresentation } from '../representations/sync-run';
import type { ApiServices } from '../api-services';

const POLL_MS = 250;
const KEEPALIVE_MS = 15_000;
/** A stream ends after this long even if the run has not (EventSource reconnects by itself). */
const LONGEST_STREAM_MS = 30 * 60_000;

const isOver = (run: SyncRun) => finishedStatuses.includes(run.status) || run.status === 'awaiting_approval';

/**
 * Live progress of one run as Server-Sent Events: a `progress` event whenever the run
 * record changes, then one `finished` event, then the stream ends. It reads the run
 * record, not this process's memory, so it works whichever instance runs the sync.
 */
export async function streamRunEvents(services: ApiServices, initial: SyncRun, req: Request, res: Response): Promise<void> {
  res.writeHead(200, {
    'content-type': 'text/event-stream; charset=utf-8',
    'cache-control': 'no-store, no-transform',
    connection: 'keep-alive',
    'x-accel-buffering': 'no',
  });
  let sequence = 0;
  const send = (event: SyncRunEvent) => {
    sequence += 1;
    res.write(`id: ${sequence}\nevent: ${event.type}\ndata: ${JSON.stringify(event)}\n\n`);
  };

  let closed = false;
  req.on('close', () => (closed = true));
  const endsAt = Date.now() + LONGEST_STREAM_MS;
  let last = '';
  let lastWrite = Date.now();
  let run: SyncRun | undefined = initial;
  while (!closed && run && !services.shutdown.aborted && Date.now() < endsAt) {
    const shown = JSON.stringify(syncRunRepresentation(run));
    if (isOver(run)) {
      send({ type: 'finished', run: syncRunRepresentation(run) });
      break;
    }
    if (shown !== last) {
      send({ type: 'progress', run: syncRunRepresentation(run) });
      last = shown;
      lastWrite = Date.now();
    } else if (Date.now() - lastWrite > KEEPALIVE_MS) {
      res.write(': keep-alive\n\n');
      lastWrite = Date.now();
    }
    await new Promise((resolve) => setTimeout(resolve, POLL_MS));
    run = await services.store.runs.get(initial.id);
  }
  res.end();
}
