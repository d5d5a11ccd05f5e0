/**
 * `npm run bench`: in-process authentication figures, then end-to-end IMAP figures against the
 * built gateway started as a separate process. Prints tables; asserts nothing.
 */
import { authBench } from './auth-bench.js';
import { gatewayBench } from './gateway-bench.js';
import { printTable } from './measure.js';

const seconds = Number(process.env.BENCH_SECONDS ?? 3);

console.log(`# auth-core, in process, one login per operation (${seconds} s each)`);
printTable(await authBench(seconds));
console.log();
await gatewayBench(seconds);
