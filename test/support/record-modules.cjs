// Preloaded with `node --require`: when the process exits, writes the path of every module it
// loaded through require (the service is CommonJS) to $RECORD_MODULES_FILE, as JSON.
'use strict';
const fs = require('node:fs');

process.on('exit', () => {
  const loaded = Object.keys(require.cache).filter((file) => file !== __filename);
  fs.writeFileSync(process.env.RECORD_MODULES_FILE, JSON.stringify(loaded));
});
