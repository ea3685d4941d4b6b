import type { WireEvent } from '../main/contract/api.js';

/**
 * What the desktop shell needs from a lab: answer contract commands, stream run events, and close
 * cleanly. The local lab process (electron/lab-supervisor.ts), a remote `colt serve`
 * (electron/remote-lab.ts) and, in tests, LabService itself satisfy it.
 */
export interface LabHost {
  call(command: string, input: unknown): Promise<unknown>;
  onEvent(listener: (event: WireEvent) => void): () => void;
  close(): Promise<void>;
}
