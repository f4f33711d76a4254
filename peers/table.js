// Prints the side-by-side table of a peers/run.sh output directory: per
// model and precision, top-1 of both, the median images/s over the rounds
// of each, and the ratio of the medians with its range over the rounds.
// usage: node peers/table.js DIR
const fs = require('fs');
const dir = process.argv[2];
const meta = JSON.parse(fs.readFileSync(`${dir}/meta.json`, 'utf8'));
// One JSON object per line: the first has top-1, every one a throughput.
const read = f => fs.readFileSync(`${dir}/${f}.json`, 'utf8').trim().split('\n').map(l => JSON.parse(l));
const median = v => { const s = [...v].sort((a, b) => a - b), h = s.length >> 1; return s.length % 2 ? s[h] : (s[h - 1] + s[h]) / 2; };
console.log(`ONNX Runtime 1.30 vs aiq on ${meta.cpu}: ${meta.threads} thread(s), batch ${meta.batch},` +
  ` top-1 on the first ${meta.n} test images, images/s median of ${meta.rounds} round(s)`);
console.log('model        precision  ORT top-1  aiq top-1   ORT img/s  aiq img/s  aiq/ORT  (range over rounds)');
for (const m of ['resnet20', 'mobilenetv2']) {
  for (const p of ['fp32', 'int8']) {
    const o = read(`${m}-ort-${p}`), a = read(`${m}-aiq-${p}`);
    const oi = o.map(r => r.images_per_s), ai = a.map(r => r.images_per_s);
    const per = ai.map((v, i) => v / oi[Math.min(i, oi.length - 1)]);
    console.log(`${m.padEnd(12)} ${p.padEnd(9)} ${(100 * o[0].top1).toFixed(2).padStart(8)}%` +
      ` ${(100 * a[0].top1).toFixed(2).padStart(9)}%  ${median(oi).toFixed(0).padStart(9)}` +
      `  ${median(ai).toFixed(0).padStart(9)}  ${(median(ai) / median(oi)).toFixed(2).padStart(6)}x` +
      `  (${Math.min(...per).toFixed(2)}-${Math.max(...per).toFixed(2)})`);
  }
}
