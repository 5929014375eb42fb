// Services (SPEC §20): classifying a 5,000-file diff for 50 services — each service's files
// (its paths and the protected ones), then its risk from its own files — as one decision does,
// compiling included. The unit test (__tests__/unit/domain/services.test.ts) checks the same
// diff path by path against minimatch; this measures the time.
import { expect, it } from 'vitest';
import { compileRiskRules } from '../src/domain/risk.js';
import { serviceConfig, serviceFiles } from '../src/domain/services.js';
import { fiftyServices } from '../__tests__/support/services.js';
import { QUICK, timed, writeResult } from './support.js';

it('services: 50 services × a 5,000-file diff', async () => {
  const { config, files } = fiftyServices();
  const names = config.services!.map((s) => s.name);
  let affected = 0;
  const classify = () => {
    affected = 0;
    for (const name of names) {
      const own = serviceConfig(config, name);
      const mine = serviceFiles(own, files);
      if (mine.length > 0) affected++;
      compileRiskRules(own).classify(mine);
    }
  };
  classify();
  expect(affected).toBe(50);
  const all = await timed(QUICK ? 3 : 9, 1, classify);
  // One service, for the cost per service.
  const one = await timed(QUICK ? 5 : 15, 1, () => {
    const own = serviceConfig(config, names[0]!);
    compileRiskRules(own).classify(serviceFiles(own, files));
  });
  writeResult('services', { services: names.length, files: files.length, all, one });
});
