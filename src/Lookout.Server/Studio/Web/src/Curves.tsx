// Live training curves as plain SVG: one chart for loss, one for accuracy, train and validation series.

export interface EpochPoint { epoch: number; trainLoss: number | null; valLoss: number | null; trainAccuracy: number | null; valAccuracy: number | null }

function Chart({ title, points, a, b, unit }: { title: string; points: EpochPoint[]; a: keyof EpochPoint; b: keyof EpochPoint; unit?: "pct" }) {
  const W = 320, H = 140, pad = 28;
  const values = points.flatMap(p => [p[a], p[b]]).filter((v): v is number => typeof v === "number");
  const max = unit === "pct" ? 1 : Math.max(1e-6, ...values);
  const min = unit === "pct" ? 0 : Math.min(0, ...values);
  const last = Math.max(1, ...points.map(p => p.epoch));
  const x = (e: number) => pad + ((e - 1) / Math.max(1, last - 1)) * (W - pad - 8);
  const y = (v: number) => H - pad + 4 - ((v - min) / (max - min || 1)) * (H - pad - 8);
  const line = (k: keyof EpochPoint) => points.filter(p => typeof p[k] === "number").map(p => `${x(p.epoch)},${y(p[k] as number)}`).join(" ");
  const fmt = (v: number) => (unit === "pct" ? `${Math.round(v * 100)}%` : v.toFixed(2));
  return (
    <figure class="curve">
      <figcaption>{title}</figcaption>
      <svg viewBox={`0 0 ${W} ${H}`} width={W} height={H} role="img" aria-label={title}>
        <line x1={pad} y1={H - pad + 4} x2={W - 8} y2={H - pad + 4} stroke="#d9dee7" />
        <line x1={pad} y1={4} x2={pad} y2={H - pad + 4} stroke="#d9dee7" />
        <text x={2} y={12} font-size="10" fill="#667085">{fmt(max)}</text>
        <text x={2} y={H - pad + 4} font-size="10" fill="#667085">{fmt(min)}</text>
        <text x={W - 60} y={H - 6} font-size="10" fill="#667085">epoch {last}</text>
        <polyline points={line(a)} fill="none" stroke="#2563eb" stroke-width="2" class="series-train" />
        <polyline points={line(b)} fill="none" stroke="#b45309" stroke-width="2" class="series-val" />
      </svg>
      <div class="legend"><span class="train">train</span> <span class="val">validation</span></div>
    </figure>
  );
}

export function Curves({ points }: { points: EpochPoint[] }) {
  if (points.length === 0) return null;
  // A detector reports losses only: no empty accuracy chart.
  const accuracy = points.some(p => typeof p.trainAccuracy === "number" || typeof p.valAccuracy === "number");
  return (
    <div class="curves" id="curves">
      <Chart title="Loss" points={points} a="trainLoss" b="valLoss" />
      {accuracy && <Chart title="Accuracy" points={points} a="trainAccuracy" b="valAccuracy" unit="pct" />}
    </div>
  );
}
