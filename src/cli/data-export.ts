/**
 * `npm run --silent data:export -- --case CTXH-2026-000123`: one case as JSON on stdout,
 * for a referral to another agency: the case's fields with place names beside the
 * codes, and the consent records it was gathered under (purpose, decision, time, channel,
 * notice version). Reads the store the configuration names (DATA_DIR or MONGODB_URI).
 * The export is recorded in the audit log (who: EXPORTED_BY or the OS user).
 *
 * Exit codes: 0 exported, 1 no such case (or erased), 2 wrong usage or configuration.
 */
import { userInfo } from 'node:os';
import { z } from 'zod';
import { shippedAdminUnits } from '../flows/intake/admin-units.js';
import { loadConfig } from '../server/config.js';
import { openStore } from '../store/open.js';
import { runCli } from './run.js';

const argsSchema = z.object({ case: z.string().regex(/^ctxh-\d{4}-\d{1,6}$/i, 'a case code looks like CTXH-2026-000123') });

async function main(argv: string[]): Promise<number> {
  const at = argv.indexOf('--case');
  const parsed = argsSchema.safeParse({ case: at >= 0 ? argv[at + 1] : undefined });
  if (!parsed.success) {
    process.stderr.write(`usage: npm run --silent data:export -- --case CTXH-2026-000123\n${parsed.error.issues[0]?.message ?? ''}\n`);
    return 2;
  }
  const config = loadConfig();
  const store = await openStore(config);
  try {
    const found = await store.cases.getByCode(parsed.data.case);
    if (!found || found.erasedAt) {
      process.stderr.write(`no case ${parsed.data.case.toUpperCase()}${found?.erasedAt ? ' (its personal data was erased)' : ''}\n`);
      return 1;
    }
    const units = shippedAdminUnits();
    const province = units.province(found.provinceCode ?? '');
    const commune = units.communesOf(found.provinceCode ?? '').find((c) => c.code === found.communeCode);
    const consents = found.citizenKey ? (await store.consents.listByCitizen(found.citizenKey)).filter((c) => found.consentIds.includes(c.id)) : [];
    const exported = {
      exportedAt: new Date().toISOString(),
      case: { ...found, provinceName: province?.name ?? null, communeName: commune?.name ?? null },
      consents: consents.map(({ id, purpose, decision, at: when, channel, textVersion, withdrawnAt }) => ({ id, purpose, decision, at: when, channel, textVersion, withdrawnAt })),
    };
    process.stdout.write(`${JSON.stringify(exported, null, 2)}\n`);
    const actor = process.env.EXPORTED_BY || `os:${userInfo().username}`;
    await store.audit.append({ at: new Date(), actor, action: 'case.exported', subject: found.conversationId ?? found.id, detail: { caseId: found.id, code: found.code } });
    return 0;
  } finally {
    await store.close();
  }
}

runCli('data:export', main);
