/// <reference lib="dom" />
import { mkdirSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { chromium, type Browser, type CDPSession, type Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import { ROOT, tempHome } from '../helpers/cli.js';
import { serve, type Served } from './ui/serve.js';

// The live view keeps up (issue 19, item 1 and Must show): 8 runs train at once (`colt serve
// --concurrency 8` on this 2-core machine, so training loads both cores), the runs screen is open
// in Chromium, and the page must show each stored round within 1 s of the server's run.roundDone
// (p95) and a pause within 1 s. The server's time of an event is when this test's own WebSocket
// client received it (the same broadcast the page gets); the page's time is the first animation
// frame after the card's text changed. The page's CPU is CDP's TaskDuration (main-thread task time).
const OUT = path.join(ROOT, 'test-output');
const CHROMIUM_ARGS = ['--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--no-first-run', '--disable-quic'];

/** Eight tiny runs: LeNet on 1,800 sample images, one epoch (27 batches) per round, 5 pruning rounds. */
const CONFIG = {
  name: 'latency',
  arch: 'lenet-300-100',
  dataset: 'fashion-mnist-sample',
  methods: ['imp', 'colt', 'random', 'reinit'],
  seeds: [0, 1],
  data: { trainLimit: 1800, testLimit: 300, validationFraction: 0.1 },
  training: { duration: '1ep', batchSize: 60 },
  stop: { maxRounds: 5 },
};

interface ServerEvent {
  readonly at: number;
  readonly event: string;
  readonly payload: { runId?: number; record?: { round: number }; status?: string };
}

let home: string;
let server: Served;
let browser: Browser;
let page: Page;
let cdp: CDPSession;
let socket: WebSocket;
const events: ServerEvent[] = [];
const problems: string[] = [];

const TIMES = ['TaskDuration', 'ScriptDuration', 'LayoutDuration', 'RecalcStyleDuration'] as const;
type Times = Record<(typeof TIMES)[number], number>;

/** Main-thread seconds the page has used so far: all tasks, and the script, layout and style parts (CDP Performance.getMetrics). */
async function pageTimes(): Promise<Times> {
  const { metrics } = (await cdp.send('Performance.getMetrics')) as { metrics: { name: string; value: number }[] };
  return Object.fromEntries(TIMES.map((t) => [t, metrics.find((m) => m.name === t)?.value ?? NaN])) as Times;
}

async function taskSeconds(): Promise<number> {
  return (await pageTimes()).TaskDuration;
}

const minus = (a: Times, b: Times): Times => Object.fromEntries(TIMES.map((t) => [t, a[t] - b[t]])) as Times;

function quantile(values: readonly number[], q: number): number {
  const s = [...values].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.ceil(q * s.length) - 1)];
}

const finishedRuns = (): number => new Set(events.filter((e) => e.event === 'run.finished' || e.event === 'run.failed').map((e) => e.payload.runId)).size;

async function until(check: () => boolean, timeoutMs: number, what: string): Promise<void> {
  const end = Date.now() + timeoutMs;
  while (!check()) {
    if (Date.now() > end) throw new Error(`timed out waiting for ${what} (${events.length} events so far: ${JSON.stringify(events.slice(-3))})`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

describe('the live runs view keeps up with 8 runs training (slow)', () => {
  beforeAll(async () => {
    mkdirSync(OUT, { recursive: true });
    home = tempHome();
    server = await serve(home, ['--concurrency', '8']);
    socket = new WebSocket(`${server.origin.replace(/^http/, 'ws')}/api/events?token=${encodeURIComponent(server.token)}`);
    socket.on('message', (data) => {
      const at = Date.now();
      const m = JSON.parse(String(data)) as { event: string; payload: ServerEvent['payload'] };
      events.push({ at, event: m.event, payload: m.payload });
    });
    await new Promise<void>((resolve, reject) => {
      socket.once('open', () => resolve());
      socket.once('error', reject);
    });
    browser = await chromium.launch({ executablePath: process.env.COLT_CHROMIUM ?? '/usr/bin/chromium', args: CHROMIUM_ARGS });
    const context = await browser.newContext({ viewport: { width: 1280, height: 800 }, colorScheme: 'light' });
    page = await context.newPage();
    page.on('pageerror', (e) => problems.push(`page error: ${e.message}`));
    page.on('console', (m) => {
      if (m.type() === 'error' && !m.text().startsWith('Failed to load resource')) problems.push(`console: ${m.text()}`);
    });
    // Records, at the first animation frame after a change, when each run's card first showed a
    // stored round (≥ that round) and each status.
    await page.addInitScript(() => {
      const w = window as unknown as { __shown: Record<string, number>; __status: Record<string, number> };
      w.__shown = {};
      w.__status = {};
      let pending = false;
      const scan = (): void => {
        pending = false;
        const now = performance.timeOrigin + performance.now();
        for (const card of Array.from(document.querySelectorAll<HTMLElement>('[data-run]'))) {
          const run = card.dataset.run;
          const text = card.querySelector('[data-testid=stored-round]')?.textContent ?? '';
          const m = /Round (\d+) stored/.exec(text);
          if (m) for (let r = 0; r <= Number(m[1]); r++) w.__shown[`${run}:${r}`] ??= now;
          const status = card.querySelector('.badge')?.textContent?.trim();
          if (status) w.__status[`${run}:${status}`] ??= now;
        }
      };
      new MutationObserver(() => {
        if (!pending) {
          pending = true;
          requestAnimationFrame(scan);
        }
      }).observe(document, { subtree: true, childList: true, characterData: true, attributes: true });
    });
    cdp = await context.newCDPSession(page);
    await cdp.send('Performance.enable', { timeDomain: 'threadTicks' });
    await page.goto(server.url);
    await page.getByRole('heading', { name: 'Runs', exact: true }).waitFor();
  });

  afterAll(async () => {
    socket?.close();
    await browser?.close();
    await server?.stop();
    if (home) rmSync(home, { recursive: true, force: true });
  });

  it('shows every stored round within 1 s of run.roundDone (p95) and a pause within 1 s, with the page’s CPU measured', async () => {
    const idleBefore = await taskSeconds();
    await new Promise((r) => setTimeout(r, 5000));
    const idleCpu = (await taskSeconds()) - idleBefore;

    const created = await server.call<{ runs: { id: number; method: string; seed: number }[] }>('experiments.create', { config: CONFIG, start: true });
    expect(created.runs).toHaveLength(8);
    const rounds = (): ServerEvent[] => events.filter((e) => e.event === 'run.roundDone');
    // Measure the page's CPU over the training itself: from the first stored round on.
    await until(() => rounds().length > 0, 240_000, 'the first stored round');
    const startTimes = await pageTimes();
    const cpuStart = { task: startTimes.TaskDuration, at: Date.now() };

    // Pause one run (the page's own Pause button) once it has stored round 1: the random control,
    // which no other run waits for (reinit waits for IMP's masks of its seed).
    const target = created.runs.find((r) => r.method === 'random' && r.seed === 1)!;
    await until(() => rounds().some((e) => e.payload.runId === target.id && e.payload.record!.round >= 1), 240_000, `run ${target.id} round 1`);
    const clickedAt = Date.now();
    await page.locator(`[data-run="${target.id}"]`).getByRole('button', { name: 'Pause' }).click();
    await until(() => events.some((e) => e.event === 'run.finished' && e.payload.runId === target.id), 60_000, `run ${target.id} to pause`);
    // The card records when it shows the pause; leaving the runs screen before it has would time the detour, not the page.
    await page.waitForFunction((id) => {
      const seen = (window as unknown as { __status: Record<string, number> }).__status;
      return seen[`${id}:paused`] !== undefined || seen[`${id}:interrupted`] !== undefined;
    }, target.id, { timeout: 60_000 });

    // The Library while the runs train (it took 66 s to open in issue 19): the page's time from the
    // click to the experiments table, and the server's time for the three lists it loads. Rounds
    // stored while the page shows the Library are left out of the latency figures (the runs screen
    // is not on show), and counted.
    const awayFrom = Date.now();
    await page.getByRole('navigation', { name: 'Screens' }).getByRole('button', { name: 'Library', exact: true }).click();
    await page.locator('#panel-experiments tbody tr', { hasText: 'latency' }).waitFor({ timeout: 60_000 });
    const libraryOpenMs = Date.now() - awayFrom;
    const listMs: Record<string, number> = {};
    for (const [command, input] of [['experiments.list', { limit: 5000 }], ['runs.list', { limit: 5000 }], ['tickets.list', { limit: 5000 }]] as const) {
      const t0 = Date.now();
      await server.call(command, input);
      listMs[command] = Date.now() - t0;
    }
    await page.getByRole('navigation', { name: 'Screens' }).getByRole('button', { name: /^Runs/ }).click();
    await page.getByRole('heading', { name: 'Runs', exact: true }).waitFor();
    const awayTo = Date.now();

    await until(() => finishedRuns() === 8, 400_000, 'all 8 runs to stop');
    const endTimes = await pageTimes();
    const cpuEnd = { task: endTimes.TaskDuration, at: Date.now() };
    // Let the page catch up with the last events before reading what it showed.
    await new Promise((r) => setTimeout(r, 3000));
    const idle2Before = await taskSeconds();
    await new Promise((r) => setTimeout(r, 5000));
    const idleAfterCpu = (await taskSeconds()) - idle2Before;

    const shown = await page.evaluate(() => (window as unknown as { __shown: Record<string, number> }).__shown);
    const status = await page.evaluate(() => (window as unknown as { __status: Record<string, number> }).__status);
    const latencies: number[] = [];
    const missed: string[] = [];
    const away = rounds().filter((e) => e.at >= awayFrom && e.at <= awayTo).length;
    for (const e of rounds().filter((r) => r.at < awayFrom || r.at > awayTo)) {
      const key = `${e.payload.runId}:${e.payload.record!.round}`;
      if (shown[key] === undefined) missed.push(key);
      else latencies.push(Math.max(0, shown[key] - e.at));
    }
    const paused = events.find((e) => e.event === 'run.finished' && e.payload.runId === target.id)!;
    const pauseShown = Math.min(...['paused', 'interrupted'].map((s) => status[`${target.id}:${s}`] ?? Infinity));
    const trainingSeconds = (cpuEnd.at - cpuStart.at) / 1000;
    const figures = {
      runs: 8,
      storedRounds: rounds().length,
      progressEvents: events.filter((e) => e.event === 'run.progress').length,
      eventsPerSecond: events.length / trainingSeconds,
      roundLatencyMs: { p50: quantile(latencies, 0.5), p95: quantile(latencies, 0.95), max: Math.max(...latencies) },
      missedRounds: missed,
      // The page may see the event a millisecond before this test's socket does: no negative delays.
      pause: { status: paused.payload.status, clickToServerMs: paused.at - clickedAt, serverToPageMs: Math.max(0, pauseShown - paused.at) },
      pageCpu: {
        trainingSeconds,
        trainingTaskSeconds: cpuEnd.task - cpuStart.task,
        trainingCoreFraction: (cpuEnd.task - cpuStart.task) / trainingSeconds,
        trainingSecondsByKind: minus(endTimes, startTimes),
        idleBeforeCoreFraction: idleCpu / 5,
        idleAfterCoreFraction: idleAfterCpu / 5,
      },
      libraryWhileTraining: { openMs: libraryOpenMs, serverListMs: listMs, roundsStoredMeanwhile: away },
      taskMsPerEvent: ((cpuEnd.task - cpuStart.task) * 1000) / events.filter((e) => e.at >= cpuStart.at && e.at <= cpuEnd.at).length,
    };
    writeFileSync(path.join(OUT, 'live-latency.json'), JSON.stringify(figures, null, 2));
    console.log(`live view with 8 runs: ${JSON.stringify(figures)}`);

    expect(problems).toEqual([]);
    expect(missed).toEqual([]);
    expect(paused.payload.status).toBe('paused');
    expect(figures.roundLatencyMs.p95).toBeLessThanOrEqual(1000);
    expect(figures.pause.serverToPageMs).toBeLessThanOrEqual(1000);
  });
});
