// Preloaded into a spawned action or CLI (`node --import`) to set its clock: RG_TEST_CLOCK is the
// ISO time the process starts at, and its clock runs on from there at real speed (a health check
// that waits 300 ms still sees 300 ms pass). The outside world's clock, faked as the simulator's
// is: the code under test is the bundle, unchanged. Only tests set RG_TEST_CLOCK.
import process from 'node:process';

const start = Date.parse(process.env.RG_TEST_CLOCK ?? '');
if (Number.isNaN(start))
  throw new Error(`RG_TEST_CLOCK is not an ISO time: ${process.env.RG_TEST_CLOCK}`);
const RealDate = Date;
const offset = start - RealDate.now();
class TestDate extends RealDate {
  constructor(...args) {
    if (args.length === 0) super(RealDate.now() + offset);
    else super(...args);
  }
  static now() {
    return RealDate.now() + offset;
  }
}
globalThis.Date = TestDate;
