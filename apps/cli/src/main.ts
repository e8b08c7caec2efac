// `npm run cli -- <command>`: operators' and data officers' terminal tools. Each command lives in
// its own file under commands/ and registers itself here.
import 'reflect-metadata';
import { Command } from 'commander';
import { registerDeadLettersCommand } from './commands/dead-letters.command';
import { registerImportCommand } from './commands/import.command';
import { registerKeysCommand } from './commands/keys.command';
import { registerMatchCommand } from './commands/match.command';
import { registerProjectionsCommand } from './commands/projections.command';
import { registerTrustCommands } from './commands/trust.command';

const program = new Command('childledger').description('ChildLedger command-line tools').showHelpAfterError();

registerMatchCommand(program);
registerProjectionsCommand(program);
registerImportCommand(program);
registerTrustCommands(program);
registerKeysCommand(program);
registerDeadLettersCommand(program);

program.parseAsync(process.argv).catch((err: unknown) => {
  process.stderr.write(`${err instanceof Error ? err.message : String(err)}\n`);
  process.exit(1);
});
