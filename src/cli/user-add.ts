/**
 * `npm run user:add -- --username lan --name "Nguyễn Thị Lan" --role counsellor --teams tam-ly,chung --communes 26734,26737 --max-open 5`
 *
 * Creates a console account in the store the configuration names (DATA_DIR or
 * MONGODB_URI). The password is never an argument (it would show in `ps` and in the
 * shell history): it comes from CTXH_NEW_PASSWORD, or else the first line of stdin (typed
 * without echo on a terminal). The creation is recorded in the audit log (actor 'cli').
 *
 * Exit codes: 0 created, 1 the username is taken, 2 wrong usage, weak password or configuration.
 */
import { userInfo } from 'node:os';
import { parseArgs } from 'node:util';
import { z } from 'zod';
import { checkPasswordPolicy, hashPassword } from '../console/auth/passwords.js';
import { loadConfig } from '../server/config.js';
import { openStore } from '../store/open.js';
import { DuplicateUsernameError, STAFF_ROLES } from '../store/types.js';
import { runCli } from './run.js';

const USAGE = `usage: npm run user:add -- --username <tên> --name "<Họ và tên>" [--role counsellor|supervisor|admin]
                          [--teams tam-ly,chung] [--communes 26734,26737] [--max-open 5] [--edit-knowledge]

  --username   login name: 2-32 of a-z 0-9 . _ - (stored lowercased)
  --name       the name colleagues see
  --role       counsellor (default), supervisor or admin
  --teams      team ids, comma-separated (HANDOFF_TEAMS)
  --communes   five-digit commune codes, comma-separated (area routing)
  --max-open   most open chats at once for auto-assignment, 1-50 (default 5)
  --edit-knowledge
               may write knowledge drafts in the console (supervisors and admins always may;
               approving stays with supervisors and admins)

The password is read from CTXH_NEW_PASSWORD, or else from the first line of stdin;
never from the command line. At least 10 characters, not only digits.
`;

const list = (item: z.ZodString) =>
  z
    .string()
    .optional()
    .transform((v) => (v ?? '').split(',').map((s) => s.trim()).filter((s) => s !== ''))
    .pipe(z.array(item).max(50))
    .transform((items) => [...new Set(items)]);

const argsSchema = z.object({
  username: z
    .string({ error: '--username is required' })
    .trim()
    .toLowerCase()
    .regex(/^[a-z0-9][a-z0-9._-]{1,31}$/, '--username: 2-32 of a-z 0-9 . _ -, starting with a letter or digit'),
  name: z.string({ error: '--name is required' }).trim().min(1, '--name is empty').max(100, '--name: at most 100 characters'),
  role: z.enum(STAFF_ROLES, { error: `--role: one of ${STAFF_ROLES.join(', ')}` }).default('counsellor'),
  teams: list(z.string().regex(/^[a-z0-9][a-z0-9-]{0,39}$/, '--teams: team ids look like tam-ly, chung')),
  communes: list(z.string().regex(/^\d{5}$/, '--communes: commune codes are five digits, e.g. 26734')),
  maxOpen: z.coerce
    .number({ error: '--max-open: a whole number' })
    .int('--max-open: a whole number')
    .min(1, '--max-open: at least 1')
    .max(50, '--max-open: at most 50')
    .default(5),
  editKnowledge: z.boolean().default(false),
});

class UsageError extends Error {}

function parseCommandLine(argv: string[]): z.infer<typeof argsSchema> | 'help' {
  if (argv.some((a) => a === '--password' || a.startsWith('--password='))) {
    throw new UsageError('the password is not taken from the command line: set CTXH_NEW_PASSWORD or pipe it on stdin');
  }
  let values: Record<string, string | boolean | undefined>;
  try {
    ({ values } = parseArgs({
      args: argv,
      strict: true,
      allowPositionals: false,
      options: {
        username: { type: 'string' },
        name: { type: 'string' },
        role: { type: 'string' },
        teams: { type: 'string' },
        communes: { type: 'string' },
        'max-open': { type: 'string' },
        'edit-knowledge': { type: 'boolean' },
        help: { type: 'boolean', short: 'h' },
      },
    }));
  } catch (err) {
    throw new UsageError(err instanceof Error ? err.message : String(err));
  }
  if (values.help) return 'help';
  const parsed = argsSchema.safeParse({
    username: values.username,
    name: values.name,
    role: values.role,
    teams: values.teams,
    communes: values.communes,
    maxOpen: values['max-open'],
    editKnowledge: values['edit-knowledge'] === true,
  });
  if (!parsed.success) throw new UsageError(parsed.error.issues.map((i) => i.message).join('\n'));
  return parsed.data;
}

/** Reads one line from a terminal without echoing it. */
function readHiddenLine(prompt: string): Promise<string> {
  const stdin = process.stdin;
  process.stderr.write(prompt);
  return new Promise((resolve, reject) => {
    let line = '';
    stdin.setRawMode(true);
    stdin.setEncoding('utf8');
    const finish = (err?: Error) => {
      stdin.setRawMode(false);
      stdin.pause();
      stdin.off('data', onData);
      process.stderr.write('\n');
      if (err) reject(err);
      else resolve(line);
    };
    const onData = (chunk: string) => {
      for (const ch of chunk) {
        if (ch === '\r' || ch === '\n') return finish();
        if (ch === '\u0003' || ch === '\u0004') return finish(new UsageError('cancelled'));
        if (ch === '\u007f' || ch === '\b') line = [...line].slice(0, -1).join('');
        else if (ch >= ' ') line += ch;
      }
    };
    stdin.on('data', onData);
    stdin.resume();
  });
}

/** The first line of a piped stdin (the rest is ignored). */
function readFirstLine(): Promise<string> {
  const stdin = process.stdin;
  return new Promise((resolve, reject) => {
    let text = '';
    const done = () => {
      stdin.off('data', onData);
      stdin.off('end', done);
      stdin.off('error', reject);
      stdin.pause();
      stdin.destroy();
      resolve((text.split('\n')[0] ?? '').replace(/\r$/, ''));
    };
    const onData = (chunk: string) => {
      text += chunk;
      if (text.includes('\n') || text.length > 4096) done();
    };
    stdin.setEncoding('utf8');
    stdin.on('data', onData);
    stdin.on('end', done);
    stdin.on('error', reject);
  });
}

async function readPassword(): Promise<string> {
  const fromEnv = process.env.CTXH_NEW_PASSWORD;
  if (fromEnv !== undefined && fromEnv !== '') {
    delete process.env.CTXH_NEW_PASSWORD;
    return fromEnv;
  }
  if (process.stdin.isTTY) {
    const first = await readHiddenLine('Mật khẩu mới: ');
    const again = await readHiddenLine('Nhập lại mật khẩu: ');
    if (first !== again) throw new UsageError('the two passwords differ');
    return first;
  }
  return readFirstLine();
}

async function main(argv: string[]): Promise<number> {
  let args: z.infer<typeof argsSchema>;
  try {
    const parsed = parseCommandLine(argv);
    if (parsed === 'help') {
      process.stdout.write(USAGE);
      return 0;
    }
    args = parsed;
  } catch (err) {
    if (err instanceof UsageError) {
      process.stderr.write(`${err.message}\n\n${USAGE}`);
      return 2;
    }
    throw err;
  }

  let password: string;
  try {
    password = await readPassword();
  } catch (err) {
    if (err instanceof UsageError) {
      process.stderr.write(`${err.message}\n`);
      return 2;
    }
    throw err;
  }
  if (password === '') {
    process.stderr.write('no password: set CTXH_NEW_PASSWORD or pipe the password on stdin\n');
    return 2;
  }
  const weak = checkPasswordPolicy(password);
  if (weak) {
    process.stderr.write(`Mật khẩu chưa đạt yêu cầu: ${weak}\n`);
    return 2;
  }
  const passwordHash = await hashPassword(password);

  const store = await openStore(loadConfig());
  try {
    const at = new Date();
    let created;
    try {
      created = await store.staff.create({
        username: args.username,
        displayName: args.name,
        role: args.role,
        passwordHash,
        teams: args.teams,
        communeCodes: args.communes,
        maxOpen: args.maxOpen,
        canEditKnowledge: args.editKnowledge,
        createdAt: at,
      });
    } catch (err) {
      if (err instanceof DuplicateUsernameError || (err instanceof Error && err.name === 'DuplicateUsernameError')) {
        process.stderr.write(`Tên đăng nhập "${args.username}" đã có người dùng; chọn tên khác.\n`);
        return 1;
      }
      throw err;
    }
    let osUser: string | null = null;
    try {
      osUser = userInfo().username;
    } catch {
      // no passwd entry (some containers)
    }
    await store.audit.append({
      at,
      actor: 'cli',
      action: 'staff.created',
      subject: created.id,
      detail: { username: created.username, role: created.role, teams: created.teams, communeCodes: created.communeCodes, maxOpen: created.maxOpen, osUser },
    });
    process.stdout.write(`Đã tạo tài khoản: id=${created.id} username=${created.username} role=${created.role}\n`);
    return 0;
  } finally {
    await store.close();
  }
}

runCli('user:add', main);
