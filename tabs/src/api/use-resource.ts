import { useCallback, useEffect, useRef, useState } from 'react';
import { ApiProblem } from './api-client';

export type Resource<T> =
  | { state: 'loading'; data?: T; reload: () => void }
  | { state: 'ready'; data: T; reload: () => void }
  | { state: 'error'; problem: ApiProblem; data?: T; reload: () => void };

function asProblem(error: unknown): ApiProblem {
  return error instanceof ApiProblem ? error : new ApiProblem(0, 'TAB_ERROR', error instanceof Error ? error.message : String(error));
}

/**
 * Loads something from the api and keeps the last answer while reloading, so a screen
 * never flashes empty. `load` is called again when `key` changes; older answers that
 * arrive late are dropped.
 */
export function useResource<T>(load: (signal: AbortSignal) => Promise<T>, key: string): Resource<T> {
  const [result, setResult] = useState<{ state: 'loading' | 'ready' | 'error'; data?: T; problem?: ApiProblem }>({ state: 'loading' });
  const [generation, setGeneration] = useState(0);
  const loadRef = useRef(load);
  loadRef.current = load;
  useEffect(() => {
    const controller = new AbortController();
    setResult((previous) => ({ state: 'loading', data: previous.data }));
    loadRef.current(controller.signal).then(
      (data) => !controller.signal.aborted && setResult({ state: 'ready', data }),
      (error: unknown) => !controller.signal.aborted && setResult((previous) => ({ state: 'error', data: previous.data, problem: asProblem(error) })),
    );
    return () => controller.abort();
  }, [key, generation]);
  const reload = useCallback(() => setGeneration((g) => g + 1), []);
  if (result.state === 'ready') return { state: 'ready', data: result.data as T, reload };
  if (result.state === 'error') return { state: 'error', problem: result.problem!, data: result.data, reload };
  return { state: 'loading', data: result.data, reload };
}

export { asProblem };
