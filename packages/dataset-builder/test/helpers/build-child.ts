/** Runs one build from a JSON argument, for the kill-and-resume test (it is killed with SIGKILL mid-run). */
import { buildDataset } from '../../src/pipeline.js';
import type { BuildOptions } from '../../src/pipeline.js';

const options = JSON.parse(process.argv[2] ?? '{}') as BuildOptions;
await buildDataset({ ...options, progress: null });
