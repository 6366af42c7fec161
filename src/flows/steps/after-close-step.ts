/**
 * Step 3, after a counsellor closed the conversation: a tap on the goodbye's rating is
 * recorded and thanked; anything else the citizen writes within the reopen window (other
 * than "cảm ơn", "ok" and the like) goes back to the counsellors, whom the closing may
 * have cut short.
 *
 * Put it after the handoff gate and before anything that answers questions.
 */
import { RATING_CHOICES, reopenedReply, thanksForRatingReply } from '../../handoff/citizen-replies.js';
import { foldedPhrase } from '../../kb/normalize.js';
import type { Step } from '../chain.js';

const ratings = new Map<string, number>(RATING_CHOICES.map((c) => [foldedPhrase(c.text), c.score]));

/** Short thanks and acknowledgements: said after a goodbye, they ask for nothing. */
const ACKNOWLEDGEMENTS = new Set(
  [
    'cảm ơn', 'cám ơn', 'cảm ơn nhiều', 'cảm ơn ạ', 'cám ơn ạ', 'cảm ơn chị', 'cảm ơn anh', 'cảm ơn em', 'cảm ơn bạn',
    'thank', 'thanks', 'thank you', 'tks', 'thanks ạ', 'camon', 'cmon', 'ok', 'oke', 'okay', 'ok ạ', 'dạ', 'dạ vâng', 'vâng',
    'vâng ạ', 'dạ ạ', 'dạ cảm ơn', 'vâng cảm ơn', 'ừ', 'uh', 'ờ', 'được', 'được rồi', 'tạm biệt', 'bye', 'chào', 'chào chị',
    'chào anh', 'chào em', 'dạ em cảm ơn', 'dạ cháu cảm ơn', 'cháu cảm ơn', 'em cảm ơn', 'tôi cảm ơn', 'tui cảm ơn',
  ].map(foldedPhrase),
);

export const isAcknowledgement = (text: string): boolean => {
  const folded = foldedPhrase(text);
  return folded === '' || ACKNOWLEDGEMENTS.has(folded);
};

export const afterCloseStep: Step = (turn, next) => {
  const ticket = turn.ticket;
  if (!ticket || ticket.status !== 'closed' || !turn.text) return next();
  const score = ratings.get(foldedPhrase(turn.text));
  if (score !== undefined) {
    if (ticket.satisfaction !== null) return next();
    return [
      { type: 'rate-ticket', ticketId: ticket.id, score },
      { type: 'reply', reply: thanksForRatingReply(score) },
    ];
  }
  if (isAcknowledgement(turn.text)) return next();
  return [
    { type: 'reopen-ticket', ticketId: ticket.id },
    { type: 'reply', reply: reopenedReply() },
  ];
};
