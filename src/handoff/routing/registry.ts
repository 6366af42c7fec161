/**
 * Routing methods by name, so configuration (HANDOFF_ROUTING) chooses the algorithm and a
 * new one is a new file plus one registerRoutingMethod call, never another `if`.
 * 'manual' (default), 'least-busy' and 'area' are registered here.
 *
 * @example
 * const method = getRoutingMethod(config.HANDOFF_ROUTING ?? DEFAULT_ROUTING_METHOD);
 */
import { areaRouting } from './area.js';
import { leastBusyRouting } from './least-busy.js';
import { manualRouting } from './manual.js';
import type { RoutingMethod } from './method.js';

/** Counsellors pick from the queue unless a centre chooses otherwise. */
export const DEFAULT_ROUTING_METHOD = 'manual';

const methods = new Map<string, RoutingMethod>();

/**
 * Adds a method under its name. Throws when the name is taken by another method: two
 * algorithms answering to one setting would be a silent surprise.
 *
 * @example registerRoutingMethod({ name: 'round-robin', autoAssigns: true, pick: (t, cs) => ... })
 */
export function registerRoutingMethod(method: RoutingMethod): void {
  const existing = methods.get(method.name);
  if (existing && existing !== method) throw new Error(`Routing method "${method.name}" is already registered`);
  methods.set(method.name, method);
}

/**
 * The method of that name. Throws an error listing the known names, so a typo in
 * configuration stops start-up with a message saying what would have worked.
 *
 * @example getRoutingMethod('area').pick(ticket, views)
 */
export function getRoutingMethod(name: string): RoutingMethod {
  const method = methods.get(name);
  if (!method) throw new Error(`Unknown routing method "${name}"; known: ${routingMethodNames().join(', ')}`);
  return method;
}

/**
 * The registered names, in registration order (for configuration checks and help text).
 *
 * @example routingMethodNames() // ['manual', 'least-busy', 'area']
 */
export function routingMethodNames(): string[] {
  return [...methods.keys()];
}

registerRoutingMethod(manualRouting);
registerRoutingMethod(leastBusyRouting);
registerRoutingMethod(areaRouting);
