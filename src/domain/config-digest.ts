// What a decision records and says about its configuration beside the config itself: a digest
// of the effective settings, and the settings that load but do nothing.
import { createHash } from 'node:crypto';
import { CONFIG_BLOCK } from './config-base.js';
import type { Config } from './config.js';

/**
 * Settings that load but do nothing, each with why: a warning in the summary and the CLI, never
 * an error (the config is valid).
 */
export function configWarnings(c: Config): string[] {
  const stages = c.stages ?? [];
  const last = stages.at(-1);
  if (!last) return [];
  const key = `${CONFIG_BLOCK}.stages.${stages.length}`;
  const warnings: string[] = [];
  if (last.soak_minutes > 0)
    warnings.push(
      `${key}.soak_minutes is ${last.soak_minutes} on ${last.name}, the last stage: it has no effect, because a soak is how long a SHA stays in a stage before the next stage may take it, and no stage comes after ${last.name}.`,
    );
  if (last.hold_while_soaking !== undefined)
    warnings.push(
      `${key}.hold_while_soaking is set on ${last.name}, the last stage: it has no effect, because no stage comes after ${last.name} to wait for.`,
    );
  return warnings;
}

function canonical(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(canonical).join(',')}]`;
  if (value && typeof value === 'object') {
    return `{${Object.keys(value)
      .sort()
      .map((k) => `${JSON.stringify(k)}:${canonical((value as Record<string, unknown>)[k])}`)
      .join(',')}}`;
  }
  return JSON.stringify(value);
}

/** A stable digest of the effective configuration, recorded with every decision. */
export function configDigest(config: Config): string {
  return `sha256:${createHash('sha256').update(canonical(config)).digest('hex')}`;
}
