import { describe, expect, it } from 'vitest';
import { code, md } from '../../src/report/markdown.js';
import { buildReport, renderSummary, statusDescription } from '../../src/report/summary.js';
import { compileRiskRules } from '../../src/domain/risk.js';

const EVIL = 'infra/a|b`c<img src=x onerror=alert(1)>\nd.tf';

describe('summary escaping', () => {
  it('a hostile file name cannot break the table, open a tag, or start a new line', () => {
    const assessment = compileRiskRules({
      high_risk_paths: [],
      medium_risk_paths: [],
      default_risk_paths: true,
      config_path: '.booty.yml',
    }).classify([{ path: EVIL, status: 'added' }]);
    const out = renderSummary(
      buildReport({
        outcome: 'HOLD',
        reason: 'high_risk_no_approval',
        risk: 'HIGH',
        sha: 'a'.repeat(40),
        assessment,
      }),
    );
    expect(out).not.toContain('<img');
    expect(out).not.toMatch(/[^\\&#0-9]`c/);
    expect(out).toContain('&lt;img src=x onerror=alert(1)&gt;');
    expect(out).toContain('&#124;');
    const pathLine = out.split('\n').find((l) => l.includes('onerror'))!;
    expect(pathLine).toContain('⏎d.tf');
  });

  it.each([
    ['a|b', 'a\\|b'],
    ['**bold**', '\\*\\*bold\\*\\*'],
    ['[x](http://evil)', '\\[x\\](http://evil)'],
    ['# heading', '\\# heading'],
    ['<script>', '&lt;script&gt;'],
  ])('md(%j) = %j', (input, expected) => {
    expect(md(input)).toBe(expected);
  });

  it('code() keeps pipes and backticks inert', () => {
    expect(code('a|b`c')).toBe('<code>a&#124;b&#96;c</code>');
  });

  it('the commit status description never exceeds 140 characters', () => {
    const d = statusDescription(
      buildReport({
        outcome: 'HOLD',
        reason: 'high_risk_no_approval',
        risk: 'HIGH',
        sha: 'a'.repeat(40),
      }),
    );
    expect(d).toBe('HOLD · high_risk_no_approval · HIGH · aaaaaaa');
    expect(d.length).toBeLessThanOrEqual(140);
  });
});
