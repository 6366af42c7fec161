/**
 * 'area': a ticket whose commune is known goes first to someone who covers that commune
 * (a counsellor or a village collaborator with the commune in communeCodes), available
 * and below their cap, the least busy of them (byLoad), whatever their team: the person
 * nearby can visit, knows the local services, and speaks the way the citizen does.
 * When the commune is unknown or nobody covering it can take the ticket, it is routed
 * as 'least-busy' (team, then the general team, then wait).
 *
 * @example areaRouting.pick({ ...ticket, communeCode: '20333' }, views)
 */
import { leastBusyOf, leastBusyRouting } from './least-busy.js';
import type { RoutingMethod } from './method.js';

export const areaRouting: RoutingMethod = {
  name: 'area',
  autoAssigns: true,
  pick(ticket, counsellors) {
    const commune = ticket.communeCode;
    const local = commune ? leastBusyOf(counsellors.filter((c) => c.communeCodes.includes(commune))) : null;
    return local?.id ?? leastBusyRouting.pick(ticket, counsellors);
  },
};
