// What the console shows for the codes the API returns: Vietnamese labels, and the
// formatting of times (Vietnam time) and waits.

export const RISK_LABELS = {
  'tu-hai': 'Nguy cơ tự hại',
  'xam-hai-tre-em': 'Trẻ em bị xâm hại',
  'bao-luc': 'Bạo lực',
  'mua-ban-nguoi': 'Mua bán người',
  'cap-cuu': 'Cấp cứu',
  'bo-roi': 'Bị bỏ rơi',
  none: 'Không có dấu hiệu',
};

export const RISK_LEVEL_LABELS = { urgent: 'Khẩn cấp', 'check-in': 'Cần hỏi thăm' };

export const CHANNEL_LABELS = { webchat: 'Web', telegram: 'Telegram', messenger: 'Messenger', zalo: 'Zalo' };

export const REASON_LABELS = {
  risk: 'Dấu hiệu nguy hiểm',
  'citizen-asked': 'Người dân muốn gặp tư vấn viên',
  'no-answer': 'Trợ lý chưa trả lời được',
  intake: 'Phiếu tiếp nhận mới',
  'staff-flagged': 'Cán bộ đánh dấu',
};

export const STATUS_LABELS = {
  waiting: 'Đang chờ',
  assigned: 'Đang xử lý',
  'on-hold': 'Tạm giữ',
  closed: 'Đã đóng',
  abandoned: 'Đã bỏ',
};

export const ROLE_LABELS = { counsellor: 'Tư vấn viên', supervisor: 'Giám sát viên', admin: 'Quản trị viên' };

export const PRESENCE_LABELS = { available: 'Sẵn sàng', away: 'Tạm vắng', offline: 'Ngoại tuyến' };

export const KIND_LABELS = { citizen: 'Người dân', bot: 'Trợ lý tự động', counsellor: 'Tư vấn viên', note: 'Ghi chú nội bộ' };

export const CONSENT_PURPOSE_LABELS = {
  intake: 'Tiếp nhận và hỗ trợ',
  callback: 'Gọi lại qua điện thoại',
  guardian: 'Người giám hộ đồng ý',
};

export const CONSENT_DECISION_LABELS = { granted: 'Đồng ý', declined: 'Không đồng ý' };

export const WHO_LABELS = { self: 'Bản thân', relative: 'Người thân', other: 'Người khác' };

export const GROUP_LABELS = {
  'nguoi-cao-tuoi': 'Người cao tuổi',
  'nguoi-khuyet-tat': 'Người khuyết tật',
  'tre-em': 'Trẻ em',
  'ho-ngheo': 'Hộ nghèo, cận nghèo',
  'nan-nhan': 'Nạn nhân bạo lực, xâm hại',
  'suc-khoe-tam-than': 'Sức khỏe tâm thần',
  khac: 'Khác',
};

export const NEED_LABELS = {
  'tro-cap': 'Trợ cấp, chính sách',
  'tam-ly': 'Tư vấn tâm lý',
  'khan-cap': 'Hỗ trợ khẩn cấp',
  'phap-ly': 'Trợ giúp pháp lý',
  'cham-soc': 'Chăm sóc, nuôi dưỡng',
  khac: 'Khác',
};

export const CASE_STATUS_LABELS = { received: 'Đã tiếp nhận', 'in-progress': 'Đang xử lý', closed: 'Đã đóng' };

/** The citizen's one-tap rating after a close (the goodbye's choices). */
export const RATING_LABELS = { 3: 'Hài lòng', 2: 'Bình thường', 1: 'Chưa hài lòng' };

export const CONVERSATION_STATUS_LABELS = { bot: 'Trợ lý tự động', queued: 'Đang chờ tư vấn viên', assigned: 'Tư vấn viên đang trả lời', closed: 'Đã kết thúc' };

/** The label for a code, or the code itself when the page does not know it. */
export const label = (table, code) => (code == null ? '' : (table[code] ?? String(code)));

const VN = 'Asia/Ho_Chi_Minh';
const timeFmt = new Intl.DateTimeFormat('vi-VN', { timeZone: VN, hour: '2-digit', minute: '2-digit' });
const dateTimeFmt = new Intl.DateTimeFormat('vi-VN', { timeZone: VN, hour: '2-digit', minute: '2-digit', day: '2-digit', month: '2-digit', year: 'numeric' });
const dayFmt = new Intl.DateTimeFormat('en-CA', { timeZone: VN, year: 'numeric', month: '2-digit', day: '2-digit' });

/** "14:05" today (Vietnam time), "14:05 03/12/2026" on another day. */
export function vnTime(value) {
  if (!value) return '';
  const d = new Date(value);
  if (Number.isNaN(d.getTime())) return '';
  return dayFmt.format(d) === dayFmt.format(new Date()) ? timeFmt.format(d) : dateTimeFmt.format(d);
}

/** Always with the date: "14:05 03/12/2026". */
export const vnDateTime = (value) => (value ? dateTimeFmt.format(new Date(value)) : '');

const pad = (n) => String(n).padStart(2, '0');

/** A wait: "03:07" under an hour, "1 giờ 5 phút" after. */
export function formatWait(ms) {
  const s = Math.max(0, Math.floor(ms / 1000));
  if (s < 3600) return `${pad(Math.floor(s / 60))}:${pad(s % 60)}`;
  return `${Math.floor(s / 3600)} giờ ${Math.floor((s % 3600) / 60)} phút`;
}

const numberFmt = new Intl.NumberFormat('vi-VN', { maximumFractionDigits: 1 });

/** Milliseconds as minutes, "3,5 phút"; "—" when there is no figure yet. */
export const minutes = (ms) => (ms == null ? '—' : `${numberFmt.format(ms / 60_000)} phút`);

/** A share 0..1 as "93,8 %"; "—" when there is none. */
export const percent = (share) => (share == null ? '—' : `${numberFmt.format(share * 100)} %`);

/** Why a message did not reach the citizen, in words a counsellor can act on. */
const DELIVERY_ERRORS = {
  blocked: 'người dân đã chặn hoặc xóa cuộc trò chuyện với trung tâm',
  'window-closed': 'đã quá thời hạn được nhắn (người dân cần nhắn lại trước)',
  'invalid-recipient': 'không tìm thấy người nhận',
  'rate-limited': 'nền tảng đang giới hạn tốc độ gửi',
  network: 'lỗi mạng',
  interrupted: 'máy chủ dừng giữa chừng khi đang gửi',
};

const errorText = (code) => (code ? (DELIVERY_ERRORS[code] ?? DELIVERY_ERRORS[code.replace(/^gave-up:/, '')] ?? code) : '');

export function deliveryLabel(delivery) {
  switch (delivery.status) {
    case 'queued':
      return delivery.error ? `Đang chờ gửi lại (${errorText(delivery.error)})` : 'Đang chờ gửi';
    case 'sending':
      return 'Đang gửi…';
    case 'unconfirmed':
      return 'Không chắc đã tới người dân (máy chủ dừng khi đang gửi); không gửi lại để tránh trùng.';
    case 'failed':
      return `Không gửi được: ${errorText(delivery.error)}`;
    default:
      return '';
  }
}

/** The banner when a channel refused for good to reach this citizen. */
export function undeliverableLabel(undeliverable) {
  return `Không nhắn được cho người này qua kênh này: ${errorText(undeliverable.reason)}. Tin nhắn mới sẽ chỉ tới khi người dân nhắn lại; hãy liên hệ cách khác nếu có số điện thoại.`;
}
