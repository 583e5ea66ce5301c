/** Runs the build-dataset command line in a child process, for the Ctrl-C test (it is sent SIGINT mid-run). */
import { main } from '../../src/cli.js';

process.exitCode = await main(process.argv.slice(2));
