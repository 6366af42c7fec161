/**
 * 'manual' (the default): nothing is assigned automatically. Every waiting ticket stays
 * in the queue, which counsellors see most urgent first, then oldest first (queueOrder),
 * and each counsellor picks the one they take; the store's conditional claim makes sure
 * only one of them gets it. Suits a small centre where the counsellors sit together and
 * know who is best placed for which citizen.
 *
 * @example getRoutingMethod('manual').autoAssigns === false
 */
import type { RoutingMethod } from './method.js';

export const manualRouting: RoutingMethod = {
  name: 'manual',
  autoAssigns: false,
  pick: () => null,
};
