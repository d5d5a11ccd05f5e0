/** The `portcullis` command's entry (bin/portcullis.js imports this); the work is in run-cli.ts. */
import { runCli } from './run-cli.js';

const code = await runCli(process.argv.slice(2), {
  out: (t) => process.stdout.write(t),
  err: (t) => process.stderr.write(t),
  cwd: process.cwd(),
});
process.exit(code);
