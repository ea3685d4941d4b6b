import type { WireEvent } from '../main/contract/api.js';
import { LabService, type LabServiceOptions } from '../main/service/lab-service.js';

/**
 * What the desktop shell needs from the lab (main/service/lab-service.ts LabService satisfies it
 * structurally): answer contract commands, stream run events, and close cleanly (running jobs
 * paused so they resume at the next start, the library closed).
 */
export interface LabHost {
  call(command: string, input: unknown): Promise<unknown>;
  onEvent(listener: (event: WireEvent) => void): () => void;
  close(): Promise<void>;
}

/** Opens the lab for the window: a LabService (the library's one writer, with its job pool). */
export async function openLabHost(options: LabServiceOptions): Promise<LabHost> {
  return new LabService(options);
}
