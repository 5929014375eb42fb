import { SCENARIOS } from '../support/reliability.js';
import { faultMatrix } from './matrix.js';

faultMatrix(SCENARIOS.versionedAllow);
