// The child process of hardwareAdapterProblem (webgpu-adapter-check.ts): asks Dawn for the adapter
// auto-selection would take and prints one JSON line, {"adapter": name} or {"why": reason}.
// Dawn and the Vulkan drivers it opens write warnings straight to this process's stderr (Mesa's
// lavapipe, for one), which the parent discards.
import { pickAdapter } from './webgpu-adapter.js';

const found = await pickAdapter({ allowSoftware: false }).catch((err: unknown) => (err instanceof Error ? err.message : String(err)).split('\n')[0] as string);
process.stdout.write(`${JSON.stringify(typeof found === 'string' ? { why: found } : { adapter: found.info.name })}\n`);
process.exit(0);
