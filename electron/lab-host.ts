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

type MaybeComplete = Partial<Pick<LabHost, 'onEvent' | 'close'>>;
type MaybeOpen = { open?: (options: LabServiceOptions) => Promise<LabService> };

/**
 * Opens the LabService as a LabHost. Uses `LabService.open` when the service has one, else the
 * constructor. Until LabService has `onEvent` and `close` (being added with the run commands) the
 * missing ones are stand-ins: no events, nothing to close; once both exist this adapter only forwards.
 */
export async function openLabHost(options: LabServiceOptions): Promise<LabHost> {
  const open = (LabService as unknown as MaybeOpen).open;
  const service = open ? await open.call(LabService, options) : new LabService(options);
  const extra = service as unknown as MaybeComplete;
  return {
    call: (command, input) => service.call(command, input),
    onEvent: extra.onEvent ? extra.onEvent.bind(service) : () => () => undefined,
    close: extra.close ? extra.close.bind(service) : async () => undefined,
  };
}
