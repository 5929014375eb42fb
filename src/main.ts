// The action shell: the only module that touches @actions/core. It binds the job (job.ts) to
// this process: its environment, the runner's workflow commands and files, the exit code.
// Errors fail the job; a HOLD is a verdict, not an error.
import * as core from '@actions/core';
import { runJob, type JobIO } from './job.js';

const coreIO: JobIO = {
  input: (name) => core.getInput(name),
  secret: (value) => core.setSecret(value),
  output: (name, value) => core.setOutput(name, value),
  info: (message) => core.info(message),
  notice: (message, title) => core.notice(message, { title }),
  warning: (message, title) => core.warning(message, { title }),
  fail: (message) => core.setFailed(message),
  summary: async (markdown) => {
    await core.summary.addRaw(markdown).write();
  },
};

export function run(): Promise<void> {
  return runJob(process.env, coreIO);
}
