// The manual cannot drift from the code: its tables are checked against the code.
import { readdirSync, readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { configSchema, FILE_ONLY_KEYS } from '../../src/domain/config.js';
import { envVarFor } from '../../src/domain/config-base.js';
import { REASON_CODES } from '../../src/domain/types.js';

const doc = readFileSync('docs/release-governor.md', 'utf8');

function section(name: string): string {
  const m = new RegExp(`<!-- ${name}:start -->([\\s\\S]*?)<!-- ${name}:end -->`).exec(doc);
  if (!m) throw new Error(`docs/release-governor.md has no ${name} section`);
  return m[1]!;
}

function firstColumn(table: string): string[] {
  return [...table.matchAll(/^\|\s*`([^`]+)`\s*\|/gm)].map((m) => m[1]!);
}

describe('docs/release-governor.md', () => {
  it('every reason code in the code is in the docs table, and every code in the table is in the code', () => {
    const documented = firstColumn(section('reason-table'));
    expect([...documented].sort()).toEqual([...REASON_CODES].sort());
  });

  it('every reason code is produced somewhere in src/ by name, not only listed', () => {
    // domain/types.ts lists every code: searching it would let a code nothing produces pass.
    const sources = (readdirSync('src', { recursive: true }) as string[])
      .filter((f) => f.endsWith('.ts') && f !== 'domain/types.ts')
      .map((f) => readFileSync(`src/${f}`, 'utf8'))
      .join('\n');
    const unproduced = REASON_CODES.filter((code) => !sources.includes(`'${code}'`));
    expect(unproduced, 'reason codes no source file produces').toEqual([]);
  });

  it('the configuration table lists every key with its override variable and default', () => {
    const table = section('config-table');
    const keys = Object.keys(configSchema.shape);
    expect(firstColumn(table)).toEqual(keys);
    for (const key of keys) {
      const row = table.split('\n').find((l) => new RegExp(`^\\|\\s*\`${key}\`\\s*\\|`).test(l))!;
      // A structure (stages) is set in the file only; its row says the variable is refused.
      expect(row).toContain(`\`${envVarFor(key)}\``);
      if (FILE_ONLY_KEYS.has(key)) expect(row).toContain('file only');
      const field = configSchema.shape[key as keyof typeof configSchema.shape];
      const parsed = field.safeParse(undefined);
      const def = parsed.success ? parsed.data : undefined;
      if (def !== undefined && !['high_risk_paths', 'medium_risk_paths'].includes(key))
        expect(row, key).toContain(`\`${JSON.stringify(def)}\``);
    }
  });
});
