import { existsSync } from 'node:fs';
import { parseArgs } from 'node:util';
import { ConfigError, loadConfig, type Config } from '../server/config.js';

/**
 * Runs a command's main(argv) and exits with its code; an unexpected error prints one line
 * naming the command (never a stack with data in it) and exits 2.
 *
 * @example runCli('data:export', main);
 */
export function runCli(name: string, main: (argv: string[]) => Promise<number>): void {
  main(process.argv.slice(2)).then(
    (code) => process.exit(code),
    (err) => {
      process.stderr.write(`${name} failed: ${err instanceof Error ? err.message : String(err)}\n`);
      process.exit(2);
    },
  );
}

/**
 * The arguments of a command that takes at most one folder (`kb:import`, `kb:export`): the
 * folder, 'help' (usage printed), or 2 after a usage error was printed.
 *
 * @example const folder = folderArgument(argv, USAGE); if (typeof folder === 'number') return folder;
 */
export function folderArgument(argv: string[], usage: string): string | undefined | 'help' | 2 {
  try {
    const { values, positionals } = parseArgs({ args: argv, strict: true, allowPositionals: true, options: { help: { type: 'boolean', short: 'h' } } });
    if (values.help) {
      process.stdout.write(usage);
      return 'help';
    }
    if (positionals.length > 1) throw new Error('at most one folder');
    return positionals[0];
  } catch (err) {
    process.stderr.write(`${err instanceof Error ? err.message : String(err)}\n\n${usage}`);
    return 2;
  }
}

/**
 * The configuration as the server reads it (.env beside package.json, then the
 * environment); 2 after printing what is wrong.
 *
 * @example const config = cliConfig(); if (config === 2) return 2;
 */
export function cliConfig(): Config | 2 {
  if (existsSync('.env')) process.loadEnvFile('.env');
  try {
    return loadConfig();
  } catch (err) {
    if (err instanceof ConfigError) {
      process.stderr.write(`${err.message}\nSee .env.example for every setting.\n`);
      return 2;
    }
    throw err;
  }
}
