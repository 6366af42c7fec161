/**
 * What the intake asks and the options it offers, in the words the citizen reads: short,
 * kind Vietnamese, quick replies wherever the choices are finite. Pure data and pure
 * functions; src/flows/intake/machine.ts decides which one to ask.
 */
import type { Reply } from '../replies.js';
import type { Choice } from './answers.js';

export const WHO = [
  { id: 'self', label: 'Tôi', synonyms: ['cho tôi', 'bản thân', 'chính tôi', 'em', 'mình', 'tui', 'con', 'cháu', 'của tôi'] },
  { id: 'relative', label: 'Người thân', synonyms: ['người nhà', 'gia đình', 'bố', 'mẹ', 'ba', 'má', 'con tôi', 'vợ', 'chồng', 'ông', 'bà', 'anh', 'chị', 'em tôi'] },
  { id: 'other', label: 'Người khác tôi biết', synonyms: ['người khác', 'hàng xóm', 'người quen', 'bạn', 'học sinh', 'người lạ'] },
] as const satisfies readonly Choice[];
export type Who = (typeof WHO)[number]['id'];

export const GROUPS = [
  { id: 'nguoi-cao-tuoi', label: 'Người cao tuổi', synonyms: ['người già', 'cao tuổi', 'ông bà', 'NCT', 'già yếu', 'già cả', 'lớn tuổi'] },
  {
    id: 'nguoi-khuyet-tat',
    label: 'Người khuyết tật',
    synonyms: ['khuyết tật', 'NKT', 'tàn tật', 'bại liệt', 'liệt', 'tai biến', 'khiếm thị', 'mù', 'khiếm thính', 'điếc', 'câm', 'câm điếc', 'què', 'cụt', 'xe lăn', 'tự kỷ', 'thiểu năng', 'chậm phát triển', 'bại não'],
  },
  { id: 'tre-em', label: 'Trẻ em', synonyms: ['trẻ', 'con nít', 'em bé', 'học sinh', 'trẻ mồ côi', 'mồ côi', 'cháu nhỏ', 'con nhỏ', 'đứa nhỏ'] },
  { id: 'ho-ngheo', label: 'Hộ nghèo, cận nghèo', synonyms: ['nghèo', 'cận nghèo', 'hộ nghèo', 'khó khăn', 'thất nghiệp', 'không có tiền'] },
  { id: 'nan-nhan', label: 'Nạn nhân bạo lực, xâm hại', synonyms: ['bạo lực', 'xâm hại', 'bị đánh', 'bạo hành', 'nạn nhân', 'bị lừa', 'bị chồng đánh'] },
  { id: 'suc-khoe-tam-than', label: 'Sức khỏe tâm thần', synonyms: ['tâm thần', 'trầm cảm', 'rối loạn', 'tâm lý', 'lo âu', 'hoang tưởng', 'mất ngủ'] },
  { id: 'khac', label: 'Khác', synonyms: ['nhóm khác', 'không thuộc'] },
] as const satisfies readonly Choice[];
export type Group = (typeof GROUPS)[number]['id'];

export const NEEDS = [
  { id: 'tro-cap', label: 'Trợ cấp, chính sách', synonyms: ['trợ cấp', 'chính sách', 'tiền hỗ trợ', 'chế độ', 'bảo hiểm', 'xin tiền', 'tiền trợ cấp', 'hỗ trợ tiền'] },
  { id: 'tam-ly', label: 'Tư vấn tâm lý', synonyms: ['tâm lý', 'tư vấn', 'nói chuyện', 'tham vấn', 'tâm sự', 'chia sẻ'] },
  { id: 'khan-cap', label: 'Hỗ trợ khẩn cấp', synonyms: ['khẩn cấp', 'gấp', 'cấp bách', 'chỗ ở tạm', 'chỗ ở', 'cứu trợ', 'cái ăn'] },
  { id: 'phap-ly', label: 'Trợ giúp pháp lý', synonyms: ['pháp lý', 'luật', 'luật sư', 'kiện', 'ly hôn', 'tranh chấp'] },
  { id: 'cham-soc', label: 'Chăm sóc, nuôi dưỡng', synonyms: ['chăm sóc', 'nuôi dưỡng', 'nhà dưỡng lão', 'dưỡng lão', 'bảo trợ', 'nuôi', 'người chăm', 'trông nom'] },
  { id: 'khac', label: 'Khác', synonyms: ['việc khác'] },
] as const satisfies readonly Choice[];
export type Need = (typeof NEEDS)[number]['id'];

export const CONSENT = [
  { id: 'yes', label: 'Đồng ý', synonyms: ['có', 'ok', 'đồng ý', 'chấp nhận', 'được'] },
  { id: 'no', label: 'Không đồng ý', synonyms: ['không', 'từ chối', 'thôi'] },
  { id: 'more', label: 'Xem thêm', synonyms: ['thêm', 'chi tiết', 'giải thích', 'là sao', 'tại sao'] },
] as const satisfies readonly Choice[];

/** The fields a citizen can correct from the summary, in the order they were asked. */
export const EDITABLE = [
  { id: 'who', label: 'Ai cần giúp', synonyms: ['ai'] },
  { id: 'group', label: 'Nhóm', synonyms: ['nhóm đối tượng', 'đối tượng'] },
  { id: 'need', label: 'Cần hỗ trợ gì', synonyms: ['nhu cầu', 'cần gì'] },
  { id: 'place', label: 'Nơi ở', synonyms: ['địa chỉ', 'xã', 'phường', 'tỉnh', 'ở đâu'] },
  { id: 'age', label: 'Tuổi', synonyms: ['năm sinh'] },
  { id: 'phone', label: 'Số điện thoại', synonyms: ['sđt', 'sdt', 'điện thoại', 'số'] },
  { id: 'description', label: 'Mô tả', synonyms: ['kể', 'nội dung', 'chuyện'] },
] as const satisfies readonly Choice[];
export type EditableField = (typeof EDITABLE)[number]['id'];

export const YES = 'Đúng';
export const NO = 'Chưa đúng';
export const SKIP = 'Bỏ qua';
export const UNKNOWN_AGE = 'Không rõ';
export const SUBMIT = 'Gửi phiếu';
export const EDIT = 'Sửa';
export const CANCEL = 'Hủy';
export const CALL_ME = 'Có, gọi lại cho tôi';
export const NO_CALL = 'Không cần gọi';
export const GUARDIAN_YES = 'Có, đã đồng ý';
export const GUARDIAN_NO = 'Chưa';
export const CONTINUE = 'Tiếp tục điền';
export const COUNSELLOR = 'Gặp tư vấn viên';

export const labels = (choices: readonly Choice[]) => choices.map((c) => c.label);
export const labelOf = <C extends Choice>(choices: readonly C[], id: string | undefined) => choices.find((c) => c.id === id)?.label ?? '';

/** Words of the consent notice, versioned: each recorded consent names the version shown. */
export interface ConsentNotice {
  version: string;
  centreName: string;
  /** How long a case is kept, in days (configuration). */
  retentionDays: number;
}

function retentionText(days: number): string {
  if (days % 365 === 0) return `${days / 365} năm`;
  if (days % 30 === 0) return `${days / 30} tháng`;
  return `${days} ngày`;
}

export function consentQuestion(n: ConsentNotice): Reply {
  return {
    text:
      `Để cán bộ giúp đúng việc, mình sẽ hỏi vài điều: ai cần giúp, cần gì, ở xã, phường nào và mô tả ngắn. ` +
      `Chỉ cán bộ ${n.centreName} xem được, giữ ${retentionText(n.retentionDays)} rồi xóa; bạn xem hoặc xóa được bất cứ lúc nào. ` +
      `Bạn có đồng ý không?`,
    choices: labels(CONSENT),
  };
}

export function consentDetails(n: ConsentNotice): Reply {
  return {
    text:
      `Thông tin bạn cho chỉ dùng để ${n.centreName} tiếp nhận và hỗ trợ bạn, không đưa cho ai khác ` +
      `nếu không có sự đồng ý của bạn (Luật Bảo vệ dữ liệu cá nhân 2025). ` +
      `Số điện thoại mình chỉ hỏi khi bạn muốn được gọi lại, và hỏi riêng. ` +
      `Bạn có thể gõ "xem thông tin của tôi", "xóa thông tin của tôi" hoặc "rút lại đồng ý" bất cứ lúc nào. ` +
      `Không đồng ý thì bạn vẫn hỏi đáp và gặp tư vấn viên được như thường.`,
    choices: labels(CONSENT).filter((l) => l !== 'Xem thêm'),
  };
}

export function consentDeclined(): Reply {
  return {
    text: 'Dạ, mình không ghi lại thông tin gì. Bạn vẫn cứ hỏi về chính sách, hoặc bấm "Gặp tư vấn viên" để nói chuyện với cán bộ nhé.',
    choices: ['Hỏi câu khác', COUNSELLOR],
  };
}

export const whoQuestion = (): Reply => ({ text: 'Bạn cần hỗ trợ cho ai?', choices: labels(WHO) });

export const groupQuestion = (who: Who | undefined): Reply => ({
  text: who === 'self' ? 'Bạn thuộc nhóm nào dưới đây?' : 'Người cần giúp thuộc nhóm nào dưới đây?',
  choices: labels(GROUPS),
});

export const needQuestion = (): Reply => ({ text: 'Bạn cần hỗ trợ việc gì nhất?', choices: labels(NEEDS) });

export const ageQuestion = (who: Who | undefined): Reply => ({
  text: who === 'self' ? 'Bạn bao nhiêu tuổi? (ví dụ: 15, hoặc "sinh năm 1950")' : 'Người cần giúp bao nhiêu tuổi? (ví dụ: 7 tuổi, hoặc "sinh năm 1950")',
  choices: [UNKNOWN_AGE],
});

export const guardianQuestion = (who: Who | undefined, ageLimit: number): Reply =>
  who === 'self'
    ? {
        text: `Vì bạn dưới ${ageLimit} tuổi, mình cần bố mẹ hoặc người giám hộ đồng ý mới lưu thông tin được. Bố mẹ hoặc người giám hộ của bạn đã đồng ý chưa?`,
        choices: [GUARDIAN_YES, GUARDIAN_NO],
      }
    : {
        text: `Em dưới ${ageLimit} tuổi, nên cần bố mẹ hoặc người giám hộ của em đồng ý. Bạn là bố mẹ, người giám hộ, hoặc họ đã đồng ý chưa?`,
        choices: [GUARDIAN_YES, GUARDIAN_NO],
      };

export function guardianMissing(hotline: string | undefined): Reply {
  const line = hotline ? `, hoặc gọi ${hotline}` : '';
  return {
    text:
      `Dạ, vậy mình không ghi lại thông tin nào. Bạn vẫn nói chuyện được với tư vấn viên${line}. ` +
      `Nếu em đang gặp nguy hiểm, gọi ngay 111 (tổng đài bảo vệ trẻ em, miễn phí).`,
    choices: [COUNSELLOR, 'Hỏi câu khác'],
  };
}

export const placeQuestion = (who: Who | undefined): Reply => ({
  text: `${who === 'self' ? 'Bạn' : 'Người cần giúp'} đang ở xã, phường nào, tỉnh, thành phố nào? Ví dụ: "xã Tân Thành, Tây Ninh". Tên cũ trước khi sáp nhập cũng được.`,
  choices: [],
});

export const communeQuestion = (provinceName: string): Reply => ({
  text: `Ở ${provinceName}, thuộc xã hoặc phường nào ạ? Ví dụ: "phường 1" hoặc "xã Mỹ An".`,
  choices: [],
});

export const pickQuestion = (what: 'province' | 'commune', names: readonly string[]): Reply => ({
  text: what === 'province' ? 'Bạn chọn giúp mình tỉnh, thành phố đúng:' : 'Có mấy nơi trùng tên, bạn chọn giúp mình nơi đúng:',
  choices: [...names],
});

export const placeConfirm = (place: string, oldName?: string, provinceName?: string): Reply => ({
  text:
    oldName && provinceName
      ? `Mình ghi là: ${place}. ${oldName} đã nhập vào ${provinceName} từ 1/7/2025. Đúng không ạ?`
      : `Mình ghi là: ${place}. Đúng không ạ?`,
  choices: [YES, NO],
});

export const callbackQuestion = (): Reply => ({
  text: 'Bạn có muốn cán bộ gọi điện lại không? Nếu có, mình xin số điện thoại, chỉ để gọi lại cho bạn.',
  choices: [CALL_ME, NO_CALL],
});

export const phoneQuestion = (): Reply => ({
  text: 'Bạn cho mình số điện thoại nhé (ví dụ: 0912 345 678 hoặc 028 3822 1234).',
  choices: [],
});

export const descriptionQuestion = (): Reply => ({
  text: 'Bạn kể ngắn gọn việc cần giúp (một hai câu là đủ).',
  choices: [SKIP],
});

export const editQuestion = (): Reply => ({ text: 'Bạn muốn sửa mục nào?', choices: labels(EDITABLE) });

export function offerCounsellor(): Reply {
  return {
    text: 'Mình chưa hiểu được câu trả lời, xin lỗi bạn. Bạn có muốn nói chuyện với tư vấn viên không? Hoặc điền tiếp cũng được.',
    choices: [COUNSELLOR, CONTINUE, CANCEL],
  };
}

export const cancelled = (): Reply => ({
  text: 'Dạ, mình đã hủy phiếu, thông tin vừa nhập không được lưu. Bạn cần gì cứ nhắn nhé.',
  choices: ['Hỏi câu khác', COUNSELLOR],
});

export const welcomeBack = (): string => 'Chào bạn quay lại! Mình tiếp tục phiếu đang điền dở nhé.';

/** A short, kind re-prompt with an example, per question. */
export const retry = {
  choice: (question: Reply): Reply => ({ text: `Bạn bấm chọn một ý bên dưới, hoặc gõ số thứ tự (1, 2…) nhé.\n${question.text}`, choices: question.choices }),
  place: (): Reply => ({
    text: 'Mình chưa tìm thấy nơi này. Bạn viết tên xã, phường và tỉnh, ví dụ: "phường Bến Thành, TP Hồ Chí Minh" hoặc "xa Tan Thanh, Tay Ninh".',
    choices: [],
  }),
  commune: (provinceName: string): Reply => ({
    text: `Mình chưa tìm thấy xã, phường này ở ${provinceName}. Bạn viết lại tên xã hoặc phường, ví dụ: "xã Mỹ An".`,
    choices: [],
  }),
  age: (): Reply => ({ text: 'Bạn gõ số tuổi giúp mình, ví dụ: 7 hoặc 70. Không rõ thì bấm "Không rõ".', choices: [UNKNOWN_AGE] }),
  description: (): Reply => ({ text: 'Bạn kể thêm một chút giúp mình, ví dụ: "bà tôi sống một mình, cần người chăm".', choices: [SKIP] }),
  yesNo: (question: Reply): Reply => ({ text: `Bạn bấm "${question.choices[0]}" hoặc "${question.choices[1]}" giúp mình nhé.`, choices: question.choices }),
};

const PHONE_PROBLEMS: Record<string, string> = {
  too_short: 'Số này hình như thiếu chữ số.',
  too_long: 'Số này hình như thừa chữ số.',
  old_mobile: 'Số này giống số di động 11 số cũ.',
  old_landline: 'Số này giống số bàn theo mã vùng cũ.',
  several_numbers: 'Mình thấy có mấy số khác nhau, bạn cho mình một số thôi nhé.',
  looks_like_id: 'Số này giống số căn cước, không phải số điện thoại.',
  not_vietnamese: 'Mình chỉ nhận số điện thoại Việt Nam.',
};

export function phoneRetry(reason: string, suggestion?: string): Reply {
  const problem = PHONE_PROBLEMS[reason] ?? 'Mình chưa đọc được số điện thoại.';
  const hint = suggestion ? ` Có phải số ${suggestion} không? Nếu đúng, bạn gõ lại số đó giúp mình.` : '';
  return { text: `${problem}${hint} Bạn gõ lại số điện thoại, ví dụ: 0912 345 678.`, choices: [] };
}

export function caseCreated(code: string, centreName: string, withCallback: boolean): Reply {
  const how = withCallback ? 'Cán bộ sẽ gọi lại hoặc nhắn bạn ngay trong khung chat này' : 'Cán bộ sẽ nhắn bạn ngay trong khung chat này';
  return {
    text:
      `Đã gửi phiếu tới ${centreName}. Mã hồ sơ của bạn là ${code}, bạn ghi lại để hỏi sau nhé. ` +
      `${how}. Nếu đang gặp nguy hiểm, đừng chờ: gọi 113 (công an), 115 (cấp cứu), 111 (trẻ em).`,
    choices: ['Hỏi câu khác'],
  };
}
