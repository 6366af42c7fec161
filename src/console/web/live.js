// Live events (GET /console/api/events, Server-Sent Events). They carry ids only: the
// page refetches what it shows through the API. One stream per tab, shared by the views;
// a 'reconnect' event is sent to listeners every time the stream (re)opens, since
// changes made while it was down were missed.
import { useEffect, useRef } from 'preact/hooks';

const TYPES = ['queue', 'ticket', 'message', 'alert', 'escalated', 'presence'];

export function createLive() {
  const listeners = new Set();
  const stateListeners = new Set();
  let source = null;
  let closed = false;
  let retry = null;
  let state = 'connecting';

  const emit = (event) => {
    for (const listener of [...listeners]) listener(event);
  };
  const setState = (next) => {
    if (next === state) return;
    state = next;
    for (const listener of [...stateListeners]) listener(next);
  };

  function open() {
    if (closed) return;
    source = new EventSource('/console/api/events');
    source.onopen = () => {
      setState('open');
      emit({ type: 'reconnect' });
    };
    source.onerror = () => {
      if (!source || closed) return;
      if (source.readyState === EventSource.CLOSED) {
        // The browser gave up (e.g. 401 after the session ended): try again later ourselves.
        setState('closed');
        source = null;
        retry = setTimeout(open, 5000);
      } else {
        setState('connecting');
      }
    };
    for (const type of TYPES) {
      source.addEventListener(type, (e) => {
        let data = {};
        try {
          data = JSON.parse(e.data);
        } catch {
          data = {};
        }
        emit({ ...data, type });
      });
    }
  }
  open();

  return {
    get state() {
      return state;
    },
    subscribe(listener) {
      listeners.add(listener);
      return () => listeners.delete(listener);
    },
    onState(listener) {
      stateListeners.add(listener);
      return () => stateListeners.delete(listener);
    },
    close() {
      closed = true;
      clearTimeout(retry);
      if (source) source.close();
      source = null;
    },
  };
}

/** Calls `handler` for each live event while mounted (always the latest handler). */
export function useLiveEvent(live, handler) {
  const latest = useRef(handler);
  latest.current = handler;
  useEffect(() => (live ? live.subscribe((e) => latest.current(e)) : undefined), [live]);
}

/**
 * A loader run at most once per `delayMs` however many events ask for it, and never twice
 * at the same time (a request during a run starts one more run after it).
 */
export function useCoalesced(load, delayMs = 150) {
  const latest = useRef(load);
  latest.current = load;
  const box = useRef(null);
  if (!box.current) {
    const b = { timer: null, running: false, again: false, dead: false };
    const run = async () => {
      b.timer = null;
      if (b.dead) return;
      if (b.running) {
        b.again = true;
        return;
      }
      b.running = true;
      try {
        await latest.current();
      } catch {
        // The loader shows its own errors.
      } finally {
        b.running = false;
        if (b.again && !b.dead) {
          b.again = false;
          schedule();
        }
      }
    };
    const schedule = () => {
      if (!b.timer) b.timer = setTimeout(run, delayMs);
    };
    b.schedule = schedule;
    box.current = b;
  }
  useEffect(
    () => () => {
      box.current.dead = true;
      clearTimeout(box.current.timer);
    },
    [],
  );
  return box.current.schedule;
}
