// Temporary runner until src/cli.ts wires `khabar cluster`: npx tsx scripts/cluster-dev.ts FILE|-
import { runClusterCommand } from '../src/commands/cluster.js';

const code = await runClusterCommand(process.argv.slice(2), { stdin: process.stdin, stdout: process.stdout, stderr: process.stderr });
process.exitCode = code;
