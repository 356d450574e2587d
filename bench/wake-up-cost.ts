/**
 * What waking up costs on this machine. A voice turn under the think-time load model arrives at a
 * process that has been idle for milliseconds, so its CPU per turn includes the wake-up (epoll
 * return, timers, the hypervisor scheduling the vCPU back) and caches gone cold, for the floor and
 * Switchboard alike. This prints, for idle gaps of 0 (setImmediate), 1, 4 and 10 ms:
 * - the CPU of an empty wake-up (a timer that does nothing);
 * - the CPU of a fixed job (JSON round trips of a small object) run after each wake-up.
 * On a quiet bare-metal machine both stay near their gap-0 values; on a shared VM they grow with
 * the gap.
 *
 * Usage: npx tsx bench/wake-up-cost.ts [JOBS_PER_GAP=1500]
 */
const jobsPerGap = Number(process.env.JOBS_PER_GAP ?? "1500");
const gaps = [0, 1, 4, 10];

const payload = {
  messages: Array.from({ length: 50 }, (_, index) => ({
    id: index,
    text: `hello world ${index}`,
    at: index * 1.5,
  })),
};
let sink = 0;

function job(): void {
  for (let round = 0; round < 5; round++) {
    sink += (JSON.parse(JSON.stringify(payload)) as typeof payload).messages.length;
  }
}

function wait(gapMs: number): Promise<void> {
  return new Promise((resolve) => (gapMs > 0 ? setTimeout(resolve, gapMs) : setImmediate(resolve)));
}

/** CPU milliseconds per iteration of `body` followed by an idle gap. */
async function cpuPerIteration(gapMs: number, body: () => void): Promise<number> {
  const count = gapMs === 0 ? jobsPerGap * 2 : Math.min(jobsPerGap, Math.ceil(10_000 / gapMs));
  const before = process.cpuUsage();
  for (let index = 0; index < count; index++) {
    body();
    await wait(gapMs);
  }
  const used = process.cpuUsage(before);
  return (used.user + used.system) / 1000 / count;
}

for (let index = 0; index < 2000; index++) job(); // optimized before measuring
process.stdout.write(
  "| idle gap | empty wake-up, CPU ms | a fixed job and its wake-up, CPU ms | the job's own part |\n|---|---:|---:|---:|\n",
);
for (const gapMs of gaps) {
  const empty = await cpuPerIteration(gapMs, () => undefined);
  const withJob = await cpuPerIteration(gapMs, job);
  const label = gapMs === 0 ? "0 (setImmediate)" : `${gapMs} ms`;
  process.stdout.write(
    `| ${label} | ${empty.toFixed(4)} | ${withJob.toFixed(4)} | ${(withJob - empty).toFixed(4)} |\n`,
  );
}
if (sink < 0) process.stdout.write("unreachable\n");
