import { register } from 'tsx/cjs/api';

// The SDK require()s converter modules by path (failureConverterPath), past vitest's own transform:
// Node needs tsx's hook for a .ts path, as under `tsx` and bin/renewals.
register();
