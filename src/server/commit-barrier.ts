import type { NextFunction, Request, RequestHandler, Response } from 'express';

/**
 * Holds every HTTP response until the store has committed what the request wrote: the
 * embedded store commits a task's writes together after the task (src/store/sqlite/
 * write-batch.ts), and a web citizen told "sent", a platform told "received" or a
 * counsellor told "answered" must never be told so about writes a crash could still
 * undo. MongoDB's `committed()` resolves at once, so there it only costs a tick.
 *
 * If the writes were lost, a response not yet begun becomes a 503 the caller retries
 * (platforms redeliver, the web page resends with the same client id). Streamed bodies
 * (files) go out as they are written; only their end waits.
 *
 * @example
 * app.use(answerAfterCommit(() => store.committed()));   // before every route
 */
export function answerAfterCommit(committed: () => Promise<void>): RequestHandler {
  return (_req: Request, res: Response, next: NextFunction) => {
    const end = res.end.bind(res) as (...args: unknown[]) => Response;
    res.end = ((...args: unknown[]) => {
      committed().then(
        () => end(...args),
        () => {
          if (res.headersSent) return end();
          res.status(503).set('content-type', 'application/json; charset=utf-8').removeHeader('content-length');
          res.removeHeader('etag');
          end(JSON.stringify({ error: { code: 'ServiceUnavailable', message: 'Not saved; please send again' } }));
        },
      );
      return res;
    }) as Response['end'];
    next();
  };
}
