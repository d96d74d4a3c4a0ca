// The figures a capacity plan rests on, taken from benchmark records: the
// cluster-mode Chorus runs that kept up (their viewers got at least 99 % of
// the lines) of the same shape (one big stream, or many streams) with the
// most viewers (the regime closest to a big deployment), medians over their
// repeats; runs of the other shape only when there are none. A run that fell behind measures a machine in
// trouble, not what a gateway can do.
import { median, type BenchRecordLike } from './bench-records.ts';
import type { MeasuredFigures } from './capacity-plan.ts';

const KEPT_UP = 0.99;

export function measuredFigures(records: BenchRecordLike[], manyStreams: boolean): MeasuredFigures {
  const keptUp = records.filter((r) => r.target === 'chorus' && r.mode.startsWith('cluster') && r.acceptedPerSec > 0 && r.deliveredFraction >= KEPT_UP);
  const sameShape = keptUp.filter((r) => (r.scenario === 'many-streams') === manyStreams);
  const cluster = sameShape.length > 0 ? sameShape : keptUp;
  if (cluster.length === 0) throw new Error('no cluster-mode Chorus run that kept up among the records: run npm run bench -- --mode cluster ... --json FILE');
  const most = Math.max(...cluster.map((r) => r.viewers));
  const runs = cluster.filter((r) => r.viewers === most);
  const perMessage = (pick: (r: BenchRecordLike) => number): number => median(runs.map((r) => pick(r) / (r.acceptedPerSec * r.seconds)));
  return {
    source: `${runs.length} cluster run(s) of ${runs[0]!.scenario} at ${most.toLocaleString('en')} viewers on ${runs[0]!.gateways} gateway(s)`,
    deliveriesPerGatewayCpuSecond: median(runs.map((r) => r.server.deliveriesPerCpuSecond)),
    rssBytesPerViewer: median(runs.map((r) => r.server.rssBytesPerViewer)),
    bytesSentPerLine: median(runs.map((r) => r.server.bytesSentPerLine)),
    redisCpuSecondsPerMessage: perMessage((r) => r.server.redis.cpuSeconds),
    kafkaCpuSecondsPerMessage: perMessage((r) => r.server.kafka.cpuSeconds),
    measuredViewers: most,
    measuredRate: Math.max(...runs.map((r) => r.acceptedPerSec)),
    measuredGateways: median(runs.map((r) => r.gateways)),
  };
}
