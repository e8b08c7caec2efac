// Runs TypeScript sources directly (decorator metadata and tsconfig paths included) for
// `npm start`, `npm run cli` and `npm run bench`. Tests use jest's own @swc/jest transform.
const path = require('node:path');
process.env.SWC_NODE_PROJECT ??= path.join(__dirname, '..', 'tsconfig.json');
require('@swc-node/register');
