import { z } from 'zod';
import { ENTRY_TOPICS, REFERRAL_TOPIC } from './topics.js';

const isoDate = /^\d{4}(-\d{2}(-\d{2})?)?$/;

/** Front matter of one knowledge file; the body is the answer. */
export const entryFrontMatterSchema = z
  .object({
    id: z.string().regex(/^[a-z0-9]+(-[a-z0-9]+)*$/, 'chữ thường không dấu, nối bằng dấu gạch ngang'),
    topic: z.enum(ENTRY_TOPICS),
    /** Referral entries only (topic co-quan-khac): the office that handles the question, in words. */
    office: z.string().trim().min(3, 'ghi tên cơ quan giải quyết việc này').optional(),
    questions: z.array(z.string().trim().min(3)).min(1),
    source: z.string().trim().min(5),
    effective: z.coerce.string().regex(isoDate, 'YYYY-MM-DD (hoặc YYYY-MM, YYYY)'),
    reviewed: z.coerce.string().regex(/^\d{4}-\d{2}-\d{2}$/, 'YYYY-MM-DD'),
  })
  .superRefine((e, ctx) => {
    if (e.topic === REFERRAL_TOPIC && !e.office)
      ctx.addIssue({ code: 'custom', path: ['office'], message: 'mục chỉ đường sang cơ quan khác cần ghi tên cơ quan (office)' });
    if (e.topic !== REFERRAL_TOPIC && e.office !== undefined)
      ctx.addIssue({ code: 'custom', path: ['office'], message: `chỉ mục chủ đề ${REFERRAL_TOPIC} mới ghi office` });
  });

export type EntryFrontMatter = z.infer<typeof entryFrontMatterSchema>;

export interface KnowledgeEntry extends EntryFrontMatter {
  /** The answer, Markdown, with centre placeholders not yet filled. */
  body: string;
  /** Path relative to the knowledge folder, for error messages and audits. */
  file: string;
}
