/**
 * A citizen's rights over what is kept about them (Luật 91/2025/QH15): see it, erase it,
 * withdraw consent, and ask how a case is going. Pure: recognising the request and
 * wording the replies; src/flows/effects.ts reads and writes the store.
 */
import { foldedPhrase } from '../kb/normalize.js';
import type { CaseRecord, ConsentRecord } from '../store/types.js';
import type { Reply } from './replies.js';
import { formatPhone } from './intake/prompts.js';
import { GROUPS, NEEDS, labelOf } from './intake/questions.js';

export type DataRightsCommand = 'show' | 'erase' | 'withdraw';

const fold = foldedPhrase;

const SHOW = /\b(xem|coi|kiem tra)\b.*\b(thong tin|du lieu)\b.*\b(cua (toi|tui|minh|em|con|chau)|ca nhan|da luu)\b/;
const ERASE = /\b(xoa|xoa bo|huy)\b.*\b(thong tin|du lieu)\b.*\b(cua (toi|tui|minh|em|con|chau)|ca nhan|da luu|di)\b|^xoa (het )?(thong tin|du lieu)( cua (toi|tui|minh|em))?$/;
const WITHDRAW = /\b(rut( lai)?|huy|thu hoi)\b.*\bdong y\b|\bkhong (con )?dong y nua\b/;

/**
 * "xem thông tin của tôi", "xóa thông tin của tôi", "rút lại đồng ý", typed any way.
 *
 * @example dataRightsCommand('xoa thong tin cua toi') // 'erase'
 */
export function dataRightsCommand(text: string): DataRightsCommand | null {
  const t = fold(text);
  if (t.split(' ').length > 14) return null;
  if (ERASE.test(t)) return 'erase';
  if (WITHDRAW.test(t)) return 'withdraw';
  if (SHOW.test(t)) return 'show';
  return null;
}

/** A case code in the text ("hồ sơ CTXH-2026-000123 tới đâu rồi"), normalised, or null. */
export function caseCodeIn(text: string): string | null {
  const m = text.match(/\bctxh\s*[-_ ]?\s*(\d{4})\s*[-_ ]?\s*(\d{1,6})\b/i);
  return m ? `CTXH-${m[1]}-${m[2]!.padStart(6, '0')}` : null;
}

export const ERASE_YES = 'Xóa hết';
export const ERASE_NO = 'Không xóa';

export function eraseConfirmReply(): Reply {
  return {
    text: 'Bạn muốn xóa mọi thông tin cá nhân mình đã lưu về bạn (phiếu tiếp nhận, số điện thoại, tin nhắn)? Xóa rồi thì không lấy lại được.',
    choices: [ERASE_YES, ERASE_NO],
  };
}

export function erasedReply(counts: { cases: number; messages: number }): Reply {
  const what = counts.cases > 0 ? ` (${counts.cases} phiếu tiếp nhận và các tin nhắn)` : '';
  return { text: `Mình đã xóa thông tin cá nhân của bạn${what}. Bạn vẫn hỏi đáp được như thường.`, choices: ['Hỏi câu khác'] };
}

export const eraseKeptReply = (): Reply => ({ text: 'Dạ, mình giữ nguyên, không xóa gì cả.', choices: [] });

export function withdrawnReply(changed: number): Reply {
  return {
    text:
      changed > 0
        ? 'Mình đã ghi nhận bạn rút lại đồng ý; từ giờ mình không hỏi hay lưu thêm thông tin cá nhân. Muốn xóa cả thông tin đã lưu thì bấm "Xóa thông tin của tôi".'
        : 'Hiện mình không lưu sự đồng ý nào của bạn, nên không có gì phải rút lại.',
    choices: changed > 0 ? ['Xóa thông tin của tôi'] : [],
  };
}

const STATUS: Record<CaseRecord['status'], string> = {
  received: 'đã tiếp nhận, đang chờ cán bộ xem',
  'in-progress': 'cán bộ đang xử lý',
  closed: 'đã xử lý xong',
};

/** What is kept about the citizen, in plain words. */
export function myDataReply(consents: readonly ConsentRecord[], cases: readonly CaseRecord[], describePlace: (c: CaseRecord) => string): Reply {
  const active = consents.filter((c) => c.decision === 'granted' && !c.withdrawnAt);
  const purposes = [...new Set(active.map((c) => ({ intake: 'tiếp nhận và hỗ trợ', callback: 'gọi lại qua điện thoại', guardian: 'đồng ý của cha mẹ, người giám hộ' })[c.purpose]))];
  const live = cases.filter((c) => !c.erasedAt);
  if (purposes.length === 0 && live.length === 0) {
    return { text: 'Mình không lưu thông tin cá nhân nào của bạn, ngoài tin nhắn trong cuộc trò chuyện này.', choices: [] };
  }
  const lines = [
    purposes.length ? `Bạn đã đồng ý: ${purposes.join('; ')}.` : 'Bạn chưa đồng ý cho lưu thông tin.',
    ...live.map((c) =>
      [
        `Phiếu ${c.code} (${STATUS[c.status]}):`,
        `nhóm ${labelOf(GROUPS, c.group).toLowerCase()}, cần ${labelOf(NEEDS, c.need).toLowerCase()}, ở ${describePlace(c)}`,
        c.age !== null ? `, ${c.age} tuổi` : '',
        c.phone ? `, số gọi lại ${formatPhone(c.phone)}` : '',
        c.description ? `, mô tả: "${c.description}"` : '',
        '.',
      ].join(''),
    ),
  ];
  return { text: lines.join('\n'), choices: ['Xóa thông tin của tôi'] };
}

export const caseAskPhoneReply = (code: string): Reply => ({
  text: `Để giữ bí mật cho hồ sơ ${code}, bạn gõ số điện thoại đã ghi trong phiếu giúp mình nhé.`,
  choices: [],
});

export const caseNotFoundReply = (code: string): Reply => ({
  text: `Mình không tìm thấy hồ sơ ${code}. Bạn xem lại mã giúp mình (dạng CTXH-2026-000123).`,
  choices: [],
});

export const caseNotYoursReply = (code: string): Reply => ({
  text: `Hồ sơ ${code} chỉ xem được trên tài khoản đã gửi nó, hoặc với số điện thoại trong phiếu. Bạn có thể gọi trung tâm để hỏi.`,
  choices: [],
});

export const caseStatusReply = (c: CaseRecord): Reply => ({
  text: `Hồ sơ ${c.code}: ${STATUS[c.status]}. Có gì mới cán bộ sẽ nhắn hoặc gọi bạn.`,
  choices: [],
});

export const casePhoneMismatchReply = (code: string): Reply => ({
  text: `Số này không khớp với số trong hồ sơ ${code}. Bạn gõ lại số điện thoại đã ghi trong phiếu nhé.`,
  choices: [],
});
