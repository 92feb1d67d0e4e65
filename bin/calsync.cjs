#!/usr/bin/env node
'use strict';
// `calsync`: the built service's command line (serve, or an operator command; `calsync --help`).
// It runs dist/main.js, so `npm run build` first; from a checkout, `npx tsx src/main.ts <command>`
// runs the same commands from the sources.
const fs = require('node:fs');
const path = require('node:path');

const main = path.join(__dirname, '..', 'dist', 'main.js');
if (!fs.existsSync(main)) {
  process.stderr.write(`calsync: ${main} is missing; build the service first (npm run build)\n`);
  process.exit(1);
}
require(main);
