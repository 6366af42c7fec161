/**
 * Risk triage runs first on every text. The detector of danger signs (self-harm,
 * abuse, violence, trafficking, emergencies, abandonment) lands with the triage issue;
 * until then nothing is flagged, and the pipeline already carries the fields.
 */
export const RISK_IDS = ['tu-hai', 'xam-hai-tre-em', 'bao-luc', 'mua-ban-nguoi', 'cap-cuu', 'bo-roi'] as const;
export type RiskId = (typeof RISK_IDS)[number];

export interface Triage {
  risk: RiskId | null;
}

export function triage(_text: string): Triage {
  return { risk: null };
}
