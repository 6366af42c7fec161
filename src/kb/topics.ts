/**
 * Topic ids from shared/kb-topics.md: the contract between knowledge entries, the
 * answer pipeline and the evaluation sets. Append only; never rename.
 */
export const TOPIC_IDS = [
  'doi-tuong-bao-tro-xa-hoi',
  'muc-chuan-tro-giup',
  'tro-cap-nguoi-cao-tuoi',
  'tro-cap-nguoi-khuyet-tat',
  'xac-dinh-muc-do-khuyet-tat',
  'tro-cap-tre-em',
  'don-than-nuoi-con',
  'ho-so-thu-tuc',
  'chi-tra-tro-cap',
  'chuyen-noi-cu-tru',
  'ho-tro-mai-tang',
  'bao-hiem-y-te',
  'tro-giup-khan-cap',
  'ho-ngheo-can-ngheo',
  'co-so-tro-giup-xa-hoi',
  'dich-vu-ctxh',
  'tu-van-tam-ly',
  'bao-ve-tre-em',
  'bao-luc-gia-dinh',
  'mua-ban-nguoi',
  'cham-soc-thay-the',
  'tro-giup-phap-ly',
  'cai-nghien-ma-tuy',
  'suc-khoe-tam-than',
  'hoc-nghe-viec-lam',
  'cong-tac-vien-ctxh',
  'nghe-ctxh',
  'lien-he',
  'du-lieu-ca-nhan',
  'gap-tu-van-vien',
  'nguoi-co-cong',
] as const;

export type TopicId = (typeof TOPIC_IDS)[number];

/**
 * Not a topic of ours: entries here recognise questions that belong to another office
 * (pension payments → BHXH, unemployment insurance → Trung tâm dịch vụ việc làm, birth
 * papers → UBND cấp xã…) and say kindly who handles them. Each names its `office`. They
 * ground no answer: `ask` reports `topic: null` with `referral` naming the office, as
 * shared/kb-topics.md wants for questions outside every topic.
 */
export const REFERRAL_TOPIC = 'co-quan-khac';

/**
 * Not an entry topic: the classifier's class for everyday questions no office handles
 * ("mẹ tôi 80 tuổi răng yếu nấu món gì", "cách gọi video trên Zalo"), trained on
 * `src/kb/everyday-questions.ts`. When the classifier reads a question so, BM25's
 * confidence in one of our entries is lowered as for another office's business: a
 * question that mentions old age or disability is not thereby about our help.
 */
export const EVERYDAY_CLASS = 'ngoai-pham-vi';

/** What an entry's `topic` may be: a topic of the contract, or the referral topic. */
export const ENTRY_TOPICS = [...TOPIC_IDS, REFERRAL_TOPIC] as const;
export type EntryTopic = (typeof ENTRY_TOPICS)[number];

export function isTopicId(value: string): value is TopicId {
  return (TOPIC_IDS as readonly string[]).includes(value);
}
