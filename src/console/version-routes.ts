/**
 * The review steps every versioned item shares (knowledge entries in kb-api.ts, policy
 * values in policy-api.ts): a second person approves a draft or sends it back with a
 * reason, and any earlier version comes back as a new draft. The rules are the same for
 * both (src/kb/versions.ts reviewRefusal: never the author, only supervisors and admins);
 * what differs is when an approved version comes into force, which the caller decides.
 *
 * @example
 * versionReviewRoutes(router, '/kb/policy/:id', { versions: store.policyVersions, idParam, now, audit, view,
 *   actions: { approved: 'kb.policy.approved', rejected: 'kb.policy.rejected', restored: 'kb.policy.restored' },
 *   publishAt: async (_req, _res, _current, at) => at });
 */
import express, { type Response } from 'express';
import { z } from 'zod';
import { reviewRefusal } from '../kb/versions.js';
import type { Staff, Version, VersionRepository } from '../store/types.js';
import { authOf } from './auth/middleware.js';

/**
 * Staff who may write knowledge drafts (entries, policy values, inbox phrasings):
 * supervisors and admins, and anyone given the permission.
 */
export const mayEditKnowledge = (s: Staff) => s.role === 'supervisor' || s.role === 'admin' || s.canEditKnowledge;

export const rejectBody = z.object({ note: z.string().trim().min(1, 'Ghi lý do trả lại.').max(500) });

export const fail = (res: Response, status: number, code: string, message: string) => void res.status(status).json({ error: { code, message } });

export interface VersionRouteOptions<T> {
  versions: VersionRepository<T>;
  idParam: z.ZodString;
  now: () => Date;
  /** Records one step in the audit log, by the signed-in staff member. */
  audit: (res: Response, action: string, subject: string, detail: Record<string, unknown>) => Promise<unknown>;
  /** The version as the console shows it (names of author and reviewer filled). */
  view: (v: Version<T>) => Promise<unknown>;
  actions: { approved: string; rejected: string; restored: string };
  /**
   * When an approved draft comes into force, from the request (a publish date) and the
   * draft (checks it must still pass); undefined when it has already answered the request
   * with a refusal.
   */
  publishAt: (req: express.Request, res: Response, current: Version<T>, at: Date) => Promise<Date | undefined>;
  /** A version was approved: this instance reloads at once (others within their poll). */
  onApproved?: () => void | Promise<void>;
}

/** Registers `<path>/versions/:version/approve`, `/reject` and `/restore` on `router`; `path` ends in `/:id`. */
export function versionReviewRoutes<T>(router: express.Router, path: string, o: VersionRouteOptions<T>): void {
  const decide = (status: 'approved' | 'rejected') => async (req: express.Request, res: Response) => {
    const { staff } = authOf(res);
    const id = o.idParam.safeParse(req.params.id);
    const version = Number(req.params.version);
    if (!id.success || !Number.isInteger(version) || version < 1) return fail(res, 400, 'invalid', 'Phiên bản không hợp lệ.');
    const current = await o.versions.get(id.data, version);
    if (!current) return fail(res, 404, 'not-found', 'Không có phiên bản này.');
    const refusal = reviewRefusal(current, staff);
    if (refusal) return fail(res, current.status !== 'draft' ? 409 : 403, current.status !== 'draft' ? 'reviewed' : 'forbidden', refusal);
    const at = o.now();
    let decided: Version<T> | null;
    if (status === 'approved') {
      const publishAt = await o.publishAt(req, res, current, at);
      if (!publishAt) return;
      decided = await o.versions.review(id.data, version, { status, reviewer: staff.id, at, publishAt });
    } else {
      const body = rejectBody.safeParse(req.body ?? {});
      if (!body.success) return fail(res, 400, 'invalid', body.error.issues[0]!.message);
      decided = await o.versions.review(id.data, version, { status, reviewer: staff.id, at, note: body.data.note });
    }
    if (!decided) return fail(res, 409, 'reviewed', 'Bản này vừa được người khác duyệt hoặc trả lại.');
    await o.audit(res, status === 'approved' ? o.actions.approved : o.actions.rejected, id.data, { version, publishAt: decided.publishAt });
    // This instance answers from it before the response (others within their poll).
    if (status === 'approved') await Promise.resolve(o.onApproved?.()).catch(() => undefined);
    res.json({ version: await o.view(decided) });
  };
  router.post(`${path}/versions/:version/approve`, decide('approved'));
  router.post(`${path}/versions/:version/reject`, decide('rejected'));

  /** An earlier version back: a new draft with its content, reviewed like any other. */
  router.post(`${path}/versions/:version/restore`, async (req: express.Request, res: Response) => {
    const { staff } = authOf(res);
    if (!mayEditKnowledge(staff)) return fail(res, 403, 'forbidden', 'Tài khoản này chưa được giao sửa nội dung.');
    const id = o.idParam.safeParse(req.params.id);
    const old = id.success ? await o.versions.get(id.data, Number(req.params.version)) : null;
    if (!old) return fail(res, 404, 'not-found', 'Không có phiên bản này.');
    const draft = await o.versions.addDraft({ entryId: old.entryId, entry: old.entry, author: staff.id, note: `khôi phục bản ${old.version}`, basedOn: old.version, createdAt: o.now() });
    await o.audit(res, o.actions.restored, old.entryId, { from: old.version, version: draft.version });
    res.status(201).json({ version: await o.view(draft) });
  });
}
