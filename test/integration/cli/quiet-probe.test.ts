// `colt run` on a machine whose only Vulkan driver is Mesa's lavapipe (a software one, common on
// Linux desktops; .ci/run installs it with libvulkan1): Dawn and the driver write warnings to the
// stderr of the process that probes them, so auto-selection probes in a child and the user sees
// only the one line that matters.
import { existsSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { colt, tempHome } from '../../helpers/cli.js';

const LAVAPIPE = '/usr/share/vulkan/icd.d/lvp_icd.x86_64.json';
const NO_LAVAPIPE = existsSync(LAVAPIPE) ? undefined : `${LAVAPIPE} not found: Debian's mesa-vulkan-drivers (libvulkan1 recommends it) has it`;

describe.skipIf(NO_LAVAPIPE !== undefined)(`auto-selection next to a software Vulkan driver${NO_LAVAPIPE ? ` (skipped: ${NO_LAVAPIPE})` : ''}`, () => {
  it('prints one error line and none of the driver warnings', async () => {
    const r = await colt(['run', '--preset', 'quick', '--set', 'training.batchSize=-5'], { COLT_HOME: tempHome(), VK_ICD_FILENAMES: LAVAPIPE, XDG_RUNTIME_DIR: '' });
    expect(r.code).toBe(2);
    expect(r.stderr.trim().split('\n'), r.stderr).toEqual([expect.stringMatching(/training\.batchSize/)]);
  });

  it('says why webgpu was not chosen', async () => {
    const r = await colt(['run', '--preset', 'quick', '--set', 'training.duration=5it', '--set', 'stop.maxRounds=0', '--set', 'methods=["imp"]', '--set', 'data.trainLimit=600', '--set', 'data.testLimit=200', '--json'], { COLT_HOME: tempHome(), VK_ICD_FILENAMES: LAVAPIPE, XDG_RUNTIME_DIR: '' });
    expect(r.code, r.stderr).toBe(0);
    const start = r.lines.find((l) => l.type === 'start');
    expect(String(start?.backendReason)).toMatch(/webgpu found no usable adapter: Dawn found no WebGPU adapter/);
    expect(r.stderr).not.toMatch(/XDG_RUNTIME_DIR|Vulkan/);
  });
});
