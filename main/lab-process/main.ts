// The lab process's entry: started by the desktop app as an Electron utilityProcess
// (electron/utility-lab-link.ts), or as a plain Node child process by the tests
// (test/integration/lab-process/), which run exactly this file. It serves the lab over whichever
// channel it was started with and ends when the lab is closed or the host goes away.
import { channelOfThisProcess } from './channel.js';
import { serveLab } from './serve-lab.js';

const channel = channelOfThisProcess();
if (channel === null) {
  process.stderr.write('colt lab process: no channel to a host (start it as an Electron utilityProcess or with child_process.fork)\n');
  process.exit(2);
}
await serveLab(channel).done;
// The lab is closed and the channel released; should a library thread still hold the event loop,
// leave anyway (an unref'd timer fires only in that case).
setTimeout(() => process.exit(0), 2_000).unref();
