import { useCallback, useEffect, useRef, useState } from 'react';
import { api, ApiError } from './api.ts';

export interface Loaded<T> {
  data?: T;
  error?: ApiError | Error;
  loading: boolean;
  reload: () => void;
}

/** Loads a GET path; `null` skips. Reloads when the path changes or reload() is called. */
export function useApi<T>(path: string | null): Loaded<T> {
  const [state, setState] = useState<{ data?: T; error?: ApiError | Error; loading: boolean }>({ loading: path !== null });
  const [tick, setTick] = useState(0);
  useEffect(() => {
    if (path === null) return;
    let live = true;
    setState((s) => ({ ...s, loading: true }));
    api<T>(path).then(
      (data) => live && setState({ data, loading: false }),
      (error: Error) => live && setState({ error, loading: false }),
    );
    return () => {
      live = false;
    };
  }, [path, tick]);
  const reload = useCallback(() => setTick((t) => t + 1), []);
  return { ...state, reload };
}

export interface LiveEvent {
  seq: number;
  type: string;
  contactId: string | null;
  subjectType: string;
  subjectId: string;
  payload: Record<string, unknown>;
  occurredAt: string;
}

type Listener = (e: LiveEvent) => void;
const listeners = new Set<Listener>();
let source: EventSource | null = null;
let status: 'connecting' | 'live' | 'offline' = 'offline';
const statusListeners = new Set<(s: typeof status) => void>();

const setStatus = (s: typeof status) => {
  status = s;
  for (const l of statusListeners) l(s);
};

/** One EventSource per tab on GET /events/stream; every screen subscribes to it. */
export function connectLive(): void {
  if (source) return;
  setStatus('connecting');
  source = new EventSource('/events/stream');
  source.onopen = () => setStatus('live');
  source.onerror = () => setStatus(source?.readyState === EventSource.CLOSED ? 'offline' : 'connecting');
  source.onmessage = (msg: MessageEvent<string>) => {
    const e = JSON.parse(msg.data) as LiveEvent;
    for (const l of listeners) l(e);
  };
}

export function disconnectLive(): void {
  source?.close();
  source = null;
  setStatus('offline');
}

/** Calls `fn` for each live event (optionally only some types). */
export function useLiveEvents(fn: Listener, types?: string[]): void {
  const ref = useRef(fn);
  ref.current = fn;
  const key = types?.join(',') ?? '';
  useEffect(() => {
    const wanted = key ? new Set(key.split(',')) : null;
    const l: Listener = (e) => {
      if (!wanted || wanted.has(e.type)) ref.current(e);
    };
    listeners.add(l);
    return () => {
      listeners.delete(l);
    };
  }, [key]);
}

export function useLiveStatus(): typeof status {
  const [s, set] = useState(status);
  useEffect(() => {
    statusListeners.add(set);
    return () => {
      statusListeners.delete(set);
    };
  }, []);
  return s;
}
