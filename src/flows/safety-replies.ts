/**
 * What a citizen in danger reads: short, kind, one category at a time, with the national
 * numbers confirmed in shared/policy-facts.md (`lien-he`, `bao-ve-tre-em`,
 * `mua-ban-nguoi`, `bao-luc-gia-dinh`) and the centre's own line from configuration.
 * Nothing here lectures; for self-harm the first line asks whether they are safe and
 * says the bot is staying with them.
 *
 * 111: Tổng đài quốc gia bảo vệ trẻ em, and since 19/9/2025 also for trafficking.
 * 113: công an. 114: cháy, cứu nạn, cứu hộ. 115: cấp cứu. 112: sự cố, thiên tai, cứu nạn.
 */
import type { CentreInfo } from '../server/config.js';
import type { RiskCategory } from '../store/types.js';
import { CHOICE_COUNSELLOR, type Reply } from './replies.js';

function centreLine(centre: CentreInfo): string {
  return centre.hotline ? ` Bạn cũng có thể gọi ${centre.hotline} của ${centre.name}.` : '';
}

const FIRST_LINES: Record<RiskCategory, string> = {
  'tu-hai':
    'Mình đang ở đây với bạn. Bạn có đang an toàn không?\n' +
    'Nếu bạn đã uống thuốc hay làm gì tự hại mình, hoặc đang ở chỗ nguy hiểm, hãy gọi ngay 115 và nói với người ở gần bạn.',
  'xam-hai-tre-em':
    'Cảm ơn bạn đã nhắn. An toàn của cháu là trên hết.\n' +
    'Nếu cháu đang bị đánh, bị xâm hại hay đang gặp nguy hiểm, gọi ngay 113 (công an); cháu bị thương thì gọi 115. ' +
    'Gọi thêm 111, Tổng đài quốc gia bảo vệ trẻ em, miễn phí, 24/7.',
  'bao-luc':
    'An toàn của bạn là quan trọng nhất lúc này.\n' +
    'Nếu đang bị đánh hoặc bị đe dọa, hãy tránh xa người đó, tới chỗ có người và gọi ngay 113 (công an). Có người bị thương thì gọi 115.',
  'mua-ban-nguoi':
    'Mình đã nhận tin của bạn.\n' +
    'Nếu bạn hoặc người thân đang bị giữ, bị lừa đưa đi hay bị ép làm việc, hãy gọi ngay 113 (công an) hoặc 111 ' +
    '(tổng đài phòng, chống mua bán người, miễn phí, 24/7). Giữ điện thoại kín đáo nhé.',
  'cap-cuu':
    'Gọi ngay 115 (cấp cứu) nếu chưa gọi, ở bên người bệnh và làm theo hướng dẫn của tổng đài.\n' +
    'Có cháy, người mắc kẹt thì gọi 114; thiên tai, cần tìm kiếm cứu nạn thì gọi 112; có yếu tố tội phạm thì báo 113.',
  'bo-roi':
    'Cảm ơn bạn đã báo.\n' +
    'Trẻ em bị bỏ rơi hay đi lạc: gọi ngay 111 hoặc 113. Người già, người khuyết tật đi lạc hoặc ở một mình không ai chăm: ' +
    'báo 113 và UBND xã, phường nơi đó. Người đó đang mệt, yếu hay bị thương thì gọi 115.',
};

const CLOSING: Record<RiskCategory, string> = {
  'tu-hai': 'Mình đã báo tư vấn viên của trung tâm, họ sẽ nhắn bạn sớm nhất. Bạn cứ nhắn cho mình, mình vẫn đang nghe.',
  'xam-hai-tre-em': 'Mình đã chuyển việc này lên đầu hàng chờ, tư vấn viên sẽ nhắn bạn ngay. Bạn cho mình biết cháu đang ở đâu nhé.',
  'bao-luc':
    'Mình đã báo tư vấn viên, họ sẽ nhắn bạn sớm nhất. Nếu nhắn tin lúc này không an toàn, bạn cứ dừng lại, lúc nào nhắn tiếp cũng được.',
  'mua-ban-nguoi':
    'Mình đã báo tư vấn viên, họ sẽ nhắn bạn ngay. Nếu được, bạn nhắn cho mình nơi đang ở (tên chỗ, tỉnh, nước) và số liên lạc được.',
  'cap-cuu': 'Mình đã báo tư vấn viên của trung tâm để hỗ trợ thêm.',
  'bo-roi': 'Mình đã chuyển lên đầu hàng chờ, tư vấn viên sẽ nhắn bạn ngay. Bạn cho mình biết người đó đang ở đâu nhé.',
};

/** The first reply to an urgent message: safety steps, numbers, and that a person is coming. */
export function safetyReply(category: RiskCategory | null, centre: CentreInfo): Reply {
  if (!category) {
    return {
      text:
        'Mình đã báo ngay cho tư vấn viên, họ sẽ nhắn bạn sớm nhất.\n' +
        `Nếu đang nguy hiểm, gọi ngay 113 (công an), 115 (cấp cứu), hoặc 111 nếu là trẻ em.${centreLine(centre)}`,
      choices: [],
    };
  }
  return { text: `${FIRST_LINES[category]}\n${CLOSING[category]}${centreLine(centre)}`, choices: [] };
}

const MAIN_NUMBER: Record<RiskCategory, string> = {
  'tu-hai': '115',
  'xam-hai-tre-em': '113 hoặc 111',
  'bao-luc': '113',
  'mua-ban-nguoi': '113 hoặc 111',
  'cap-cuu': '115',
  'bo-roi': '113',
};

/** A further urgent message in a conversation already at the head of the queue: short, no repeat of the whole list. */
export function safetyFollowUpReply(category: RiskCategory | null): Reply {
  const number = category ? MAIN_NUMBER[category] : '113 hoặc 115';
  return {
    text: `Mình vẫn ở đây. Tư vấn viên đã được báo và sẽ nhắn bạn ngay. Nếu nguy hiểm đang tới gần, gọi ngay ${number}.`,
    choices: [],
  };
}

export const CHOICE_CHECK_IN_YES = 'Có';
export const CHOICE_CHECK_IN_NO = 'Không';

/** Ambiguous distress: one direct question, with quick replies. */
export function checkInReply(leaning: RiskCategory | null): Reply {
  if (leaning === 'tu-hai') {
    return {
      text: 'Nghe bạn nói vậy, mình lo cho bạn. Mình hỏi thẳng nhé: bạn có đang nghĩ đến chuyện tự làm hại mình không?',
      choices: [CHOICE_CHECK_IN_YES, CHOICE_CHECK_IN_NO],
    };
  }
  return {
    text: 'Mình muốn chắc là mọi người đều ổn. Bạn (hoặc người bạn nhắc tới) có đang gặp nguy hiểm ngay lúc này không?',
    choices: [CHOICE_CHECK_IN_YES, CHOICE_CHECK_IN_NO],
  };
}

/** They answered the check-in: safe for now. Leave the door open without pressing. */
export function checkInSafeReply(centre: CentreInfo): Reply {
  const hotline = centre.hotline ? `, hoặc gọi ${centre.hotline}` : '';
  return {
    text:
      `Cảm ơn bạn đã cho mình biết. Khi nào thấy không ổn, bạn cứ nhắn ở đây${hotline}. ` +
      'Muốn nói chuyện với tư vấn viên thì bấm nút bên dưới nhé.',
    choices: [CHOICE_COUNSELLOR],
  };
}

/**
 * Sent on its own when a check-in went unanswered and became urgent: the citizen learns
 * that a counsellor was told, and gets the same safety help as any urgent message.
 */
export function checkInEscalatedReply(category: RiskCategory | null, centre: CentreInfo): Reply {
  const safety = safetyReply(category, centre);
  return { text: `Mình chưa thấy bạn trả lời nên đã báo tư vấn viên để liên hệ bạn sớm nhất.\n${safety.text}`, choices: safety.choices };
}
