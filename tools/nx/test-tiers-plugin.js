// Gives every project with a project.json the same targets, so that a new library needs no
// copy of them: `test` (unit, *.spec.ts), `int-test` (*.int-spec.ts, real PostgreSQL),
// `e2e-test` (*.e2e-spec.ts, running services) and `lint`. `npm test` runs all tiers in one
// jest run against one database server; these targets run one tier of one project.
const path = require('node:path');

const tier = (project, root) => ({
  executor: 'nx:run-commands',
  options: { command: `node tools/run-tests.js ${root} --selectProjects ${project}`, cwd: '{workspaceRoot}' },
});

exports.createNodes = [
  '{apps,libs}/*/project.json',
  (files) =>
    files.map((file) => {
      const root = path.dirname(file);
      return [
        file,
        {
          projects: {
            [root]: {
              targets: {
                test: { ...tier('unit', root), cache: true },
                'int-test': tier('int', root),
                'e2e-test': tier('e2e', root),
                lint: { executor: 'nx:run-commands', options: { command: `eslint ${root}`, cwd: '{workspaceRoot}' }, cache: true },
              },
            },
          },
        },
      ];
    }),
];
