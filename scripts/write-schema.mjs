// `npm run schema`: writes schema/release-governor.schema.json from the zod schema, through
// the built CLI bundle (so this script needs no TypeScript loader): `release-governor schema`.
import { execFileSync } from 'node:child_process';
import { writeFileSync } from 'node:fs';

const json = execFileSync(process.execPath, ['dist/cli/index.js', 'schema'], { encoding: 'utf8' });
writeFileSync(
  'schema/release-governor.schema.json',
  `${JSON.stringify(JSON.parse(json), null, 2)}\n`,
);
console.log('wrote schema/release-governor.schema.json');
