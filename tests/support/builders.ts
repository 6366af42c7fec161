/** Test builders for store records: one place to change when a record gains a field. */
import type { NewCase } from '../../src/store/types.js';

export function newCase(over: Partial<NewCase> = {}): NewCase {
  return {
    citizenKey: 'webchat:citizen-1',
    conversationId: 'conv-1',
    channel: 'webchat',
    who: 'self',
    group: 'nguoi-cao-tuoi',
    need: 'cham-soc',
    provinceCode: '48',
    communeCode: '20333',
    age: 82,
    phone: '+84905123456',
    description: 'bà sống một mình',
    riskLevel: null,
    riskCategory: null,
    consentIds: [],
    createdAt: new Date('2026-11-30T03:00:00Z'),
    ...over,
  };
}
