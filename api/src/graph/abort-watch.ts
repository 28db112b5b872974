/**
 * Calls `onAbort` when `signal` aborts; the returned function stops watching. However many
 * waits share one signal (a run's requests waiting for a slot, a token or a Retry-After),
 * the signal carries a single 'abort' listener: Node warns past ten, and a large group
 * scope has hundreds of such waits at once.
 */
export function watchAbort(signal: AbortSignal, onAbort: () => void): () => void {
  let watch = watches.get(signal);
  if (!watch) {
    const created: Watch = {
      callbacks: new Set(),
      listener: () => {
        watches.delete(signal);
        for (const callback of created.callbacks) callback();
      },
    };
    watch = created;
    watches.set(signal, created);
    signal.addEventListener('abort', created.listener, { once: true });
  }
  const current = watch;
  current.callbacks.add(onAbort);
  return () => {
    current.callbacks.delete(onAbort);
    if (current.callbacks.size === 0 && watches.get(signal) === current) {
      watches.delete(signal);
      signal.removeEventListener('abort', current.listener);
    }
  };
}

interface Watch {
  callbacks: Set<() => void>;
  listener: () => void;
}

const watches = new WeakMap<AbortSignal, Watch>();
