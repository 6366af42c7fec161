/**
 * What the citizen reads when people take over: who is helping, a transfer, the goodbye
 * and its one-tap rating. Short, kind Vietnamese; pure functions, like src/flows/replies.ts.
 */
import type { Reply } from '../flows/replies.js';

/** The one-tap rating after a counsellor closes: score 3 (good) to 1. Tapping sends the text back. */
export const RATING_CHOICES = [
  { text: 'Hài lòng', score: 3 },
  { text: 'Bình thường', score: 2 },
  { text: 'Chưa hài lòng', score: 1 },
] as const;

/** Said once, when a counsellor takes the conversation: the citizen knows a person is there, and who. */
export function counsellorJoinedReply(counsellorName: string, centreName: string): Reply {
  return {
    text: `Chào bạn, mình là ${counsellorName}, tư vấn viên của ${centreName}. Mình đã đọc tin nhắn của bạn và sẽ trò chuyện với bạn ngay bây giờ.`,
    choices: [],
  };
}

export function transferredToColleagueReply(colleagueName: string): Reply {
  return { text: `Mình chuyển cuộc trò chuyện cho đồng nghiệp ${colleagueName} để hỗ trợ bạn tốt hơn. Bạn chờ một chút nhé.`, choices: [] };
}

export function transferredToTeamReply(teamLabel: string): Reply {
  return {
    text: `Mình chuyển bạn sang nhóm tư vấn ${teamLabel} để hỗ trợ đúng việc hơn. Bạn chờ một chút, sẽ có người nhắn bạn ngay khi rảnh.`,
    choices: [],
  };
}

/** The conversation goes back to the bot: a short goodbye and a one-tap rating. */
export function closedReply(centreName: string): Reply {
  return {
    text: `Cảm ơn bạn đã trò chuyện với ${centreName}. Khi cần, bạn cứ nhắn lại ở đây nhé. Bạn thấy lần hỗ trợ này thế nào?`,
    choices: RATING_CHOICES.map((c) => c.text),
  };
}

export function thanksForRatingReply(score: number): Reply {
  return {
    text: score >= 3 ? 'Cảm ơn bạn! Chúc bạn và gia đình mọi điều tốt lành.' : 'Cảm ơn bạn đã cho biết. Trung tâm sẽ cố gắng hỗ trợ bạn tốt hơn.',
    choices: [],
  };
}

/** The citizen wrote again soon after a counsellor closed: the conversation goes back to the queue. */
export function reopenedReply(): Reply {
  return { text: 'Mình đã báo lại cho tư vấn viên vừa trò chuyện với bạn. Bạn chờ một chút nhé.', choices: [] };
}
