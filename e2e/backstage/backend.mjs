// A minimal real Backstage backend: backend-defaults with only the catalog
// plugin. Started by record.mjs and speed.mjs as
//   node backend.mjs --config app-config.yaml --config RUNTIME.yaml
// (backend-defaults reads the --config arguments itself).
import { createBackend } from '@backstage/backend-defaults';

const backend = createBackend();
backend.add(import('@backstage/plugin-catalog-backend'));
await backend.start();
