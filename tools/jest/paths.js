// Maps the tsconfig path aliases (@childledger/*) for jest, so there is one source of truth.
const path = require('node:path');
const tsconfig = require('../../tsconfig.base.json');

function escape(s) {
  return s.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&');
}

exports.pathsToModuleNameMapper = function pathsToModuleNameMapper() {
  const root = path.resolve(__dirname, '../..');
  const out = {};
  for (const [alias, [target]] of Object.entries(tsconfig.compilerOptions.paths)) {
    out[`^${escape(alias)}$`] = path.join(root, target);
  }
  return out;
};
