// Freeze windows (SPEC §16): absolute `{ start, end }` and recurring `{ cron, duration_minutes,
// timezone }` windows. Cron occurrences are computed by croner in the window's IANA time zone
// (Node's ICU), so daylight-saving transitions are the library's and the platform's, not ours;
// a window lasts `duration_minutes` of real time from its start. Pure: the clock is an argument.
import { Cron } from 'croner';
import { z } from 'zod';

const isoWithOffset = z
  .string()
  .refine(
    (s) => /(?:Z|[+-]\d{2}:?\d{2})$/i.test(s) && !Number.isNaN(Date.parse(s)),
    'must be an ISO 8601 time with an offset (2026-12-24T00:00:00+01:00, or Z)',
  );

function zoneProblem(zone: string): string | null {
  try {
    new Intl.DateTimeFormat('en-US', { timeZone: zone });
    return null;
  } catch {
    return `${JSON.stringify(zone)} is not an IANA time zone (Europe/Berlin, America/New_York, UTC)`;
  }
}

function cronProblem(pattern: string): string | null {
  if (pattern.trim().split(/\s+/).length !== 5)
    return 'must be a 5-field cron expression (minute hour day-of-month month day-of-week)';
  try {
    new Cron(pattern, { paused: true });
    return null;
  } catch (e) {
    return `is not a valid cron expression: ${(e as Error).message}`;
  }
}

export const freezeWindowSchema = z
  .strictObject({
    start: isoWithOffset.optional().describe('An absolute window: its start (with an offset).'),
    end: isoWithOffset.optional().describe('An absolute window: its end, after start.'),
    cron: z
      .string()
      .superRefine((c, ctx) => {
        const p = cronProblem(c);
        if (p) ctx.addIssue({ code: 'custom', message: p });
      })
      .optional()
      .describe('A recurring window: every occurrence (5-field cron, in timezone) starts one.'),
    duration_minutes: z
      .number()
      .positive()
      .max(525_600)
      .optional()
      .describe('A recurring window: how long each lasts, in real minutes.'),
    timezone: z
      .string()
      .superRefine((zone, ctx) => {
        const p = zoneProblem(zone);
        if (p) ctx.addIssue({ code: 'custom', message: p });
      })
      .optional()
      .describe('A recurring window: the IANA time zone of cron. Default: UTC.'),
    reason: z.string().min(1, 'say why (it is shown to everyone the window holds)'),
    services: z
      .array(z.string().min(1))
      .min(1)
      .optional()
      .describe('With services (SPEC §20): the services it freezes. Default: every service.'),
    stages: z
      .array(z.string().min(1))
      .min(1)
      .optional()
      .describe('The stages it freezes. Default: the last stage (production).'),
  })
  .superRefine((w, ctx) => {
    const absolute = w.start !== undefined || w.end !== undefined;
    const recurring =
      w.cron !== undefined || w.duration_minutes !== undefined || w.timezone !== undefined;
    if (absolute === recurring) {
      ctx.addIssue({
        code: 'custom',
        message:
          'needs either start and end (an absolute window) or cron and duration_minutes, with an optional timezone (a recurring one)',
      });
      return;
    }
    const need = (key: 'start' | 'end' | 'cron' | 'duration_minutes', with_: string) => {
      if (w[key] === undefined)
        ctx.addIssue({ code: 'custom', path: [key], message: `is required with ${with_}` });
    };
    if (absolute) {
      need('start', 'end');
      need('end', 'start');
      if (w.start && w.end && Date.parse(w.end) <= Date.parse(w.start))
        ctx.addIssue({ code: 'custom', path: ['end'], message: `is not after start (${w.start})` });
    } else {
      need('cron', 'duration_minutes');
      need('duration_minutes', 'cron');
    }
  })
  .describe(
    'A freeze window: { start, end, reason } or { cron, duration_minutes, timezone, reason }.',
  );
export type FreezeWindow = z.output<typeof freezeWindowSchema>;

export interface ActiveFreeze {
  reason: string;
  /** When the freeze ends (ISO); another window may start right then. */
  until: string;
  /** Which window: its index in freeze_windows and how it is written. */
  index: number;
  describe: string;
}

const SEARCH_BACK_MS = 26 * 3600_000;
/** A bound on the occurrences looked at (a minute-level cron over a long window). */
const MAX_OCCURRENCES = 50_000;

/** The window `w` holds `stage` at `now` (stages default to the last one). */
function freezes(w: FreezeWindow, stage: string, lastStage: string): boolean {
  return (w.stages ?? [lastStage]).includes(stage);
}

/** When the window that contains `now` ends, or null when `now` is outside it. */
function windowEnd(w: FreezeWindow, now: Date): Date | null {
  if (w.start !== undefined && w.end !== undefined) {
    const start = Date.parse(w.start);
    const end = Date.parse(w.end);
    return now.getTime() >= start && now.getTime() < end ? new Date(end) : null;
  }
  if (w.cron === undefined || w.duration_minutes === undefined) return null;
  const length = w.duration_minutes * 60_000;
  const cron = new Cron(w.cron, { timezone: w.timezone ?? 'UTC', paused: true });
  // Occurrences in (now − duration, now] contain now; overlapping ones extend the end. The search
  // starts a day and two hours earlier: croner finds an occurrence in a skipped daylight-saving
  // hour (run at the next valid instant) only when it searches from before the gap.
  let end: number | null = null;
  let at = cron.nextRun(new Date(now.getTime() - length - SEARCH_BACK_MS));
  for (let i = 0; at && at.getTime() <= now.getTime(); i++) {
    // Too many occurrences to walk (a minute-level cron over a long window): fail closed, frozen.
    if (i >= MAX_OCCURRENCES) return new Date(now.getTime() + length);
    if (at.getTime() + length > now.getTime()) end = Math.max(end ?? 0, at.getTime() + length);
    at = cron.nextRun(at);
  }
  return end === null ? null : new Date(end);
}

/** The freeze holding `stage` at `now`, the one that ends last when several overlap. */
export function activeFreeze(
  windows: readonly FreezeWindow[],
  stage: string,
  lastStage: string,
  now: Date,
): ActiveFreeze | null {
  let found: ActiveFreeze | null = null;
  windows.forEach((w, index) => {
    if (!freezes(w, stage, lastStage)) return;
    const end = windowEnd(w, now);
    if (!end || (found && Date.parse(found.until) >= end.getTime())) return;
    found = {
      reason: w.reason,
      until: end.toISOString(),
      index,
      describe:
        w.start !== undefined
          ? `${w.start} to ${w.end}`
          : `cron "${w.cron}" (${w.timezone ?? 'UTC'}) for ${w.duration_minutes} minutes`,
    };
  });
  return found;
}
