// Runs before anything else is loaded. @actions/github parses the event payload while it is
// being imported, so a payload that is not JSON would crash the import with a stack trace and
// no summary. Checked here first, it fails the job with a message naming the file.
import { appendFileSync, readFileSync } from 'node:fs';

function escapeCommand(s: string): string {
  return s.replace(/%/g, '%25').replace(/\r/g, '%0D').replace(/\n/g, '%0A');
}

const path = process.env.GITHUB_EVENT_PATH;
if (path) {
  let problem: string | null = null;
  try {
    JSON.parse(readFileSync(path, 'utf8'));
  } catch (e) {
    // A missing file is left to the event parser, which names what it expected.
    if ((e as NodeJS.ErrnoException).code !== 'ENOENT') problem = (e as Error).message;
  }
  if (problem !== null) {
    const message = `The event payload ${path} is not valid JSON (${problem}). Nothing was decided or written. This is the runner's file: re-run the job; if it persists, report it.`;
    process.stdout.write(`::error title=Release Governor::${escapeCommand(message)}\n`);
    try {
      if (process.env.GITHUB_STEP_SUMMARY)
        appendFileSync(
          process.env.GITHUB_STEP_SUMMARY,
          `## ❌ Release Governor: error\n\n${message}\n`,
        );
    } catch {
      // The annotation above already says it.
    }
    process.exit(1);
  }
}
