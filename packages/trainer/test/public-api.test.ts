// The public face of @cxr8/trainer: src/index.ts exports these runtime names and no others (an accidental export
// fails here; a deliberate one is added to this list and to the API section of packages/trainer/README.md).
import { testPublicApi } from '../../labeler/test/helpers/public-api.js';

testPublicApi({
  packageName: '@cxr8/trainer',
  index: new URL('../src/index.ts', import.meta.url),
  doc: { file: 'packages/trainer/README.md', heading: '## API' },
  exports: [
    'BackendError',
    'DataError',
    'EvaluationError',
    'InterruptedError',
    'MetricInputError',
    'ModelError',
    'PhantomError',
    'RefusedError',
    'TrainError',
    'TrainerError',
    'UsageError',
    'evaluate',
    'main',
    'makePhantoms',
    'makePhantomsB',
    'train',
  ],
});
