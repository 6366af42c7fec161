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
