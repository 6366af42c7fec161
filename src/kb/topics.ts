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

export function isTopicId(value: string): value is TopicId {
  return (TOPIC_IDS as readonly string[]).includes(value);
}
