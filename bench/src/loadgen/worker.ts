/** A load-generator child process: runs the jobs its parent sends and answers with the results. */
import { runClosedLoop, type LoadJob } from './closed-loop.js';

process.on('message', (job: LoadJob) => {
  void runClosedLoop(job).then(
    (result) => process.send!({ ok: true, result }),
    (err: unknown) => process.send!({ ok: false, error: String(err) }),
  );
});
process.on('disconnect', () => process.exit(0));
