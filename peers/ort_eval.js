// Top-1 of an ONNX model in ONNX Runtime (onnxruntime-node, CPU) on a
// CIFAR-10 binary file: images as NCHW float in [0,1] fed to input "image",
// class scores read from output "logits" (the shipped models' names).
// usage: node ort_eval.js MODEL.onnx DATA.bin [--n N] [--offset O]
//          [--threads T] [--opt all|extended|basic|disabled] [--predictions]
// Prints one JSON object; --predictions adds the arg-max class of every image.
const fs = require('fs');
const ort = require(process.env.ORT_NODE || 'onnxruntime-node');

function fail(msg) {
  process.stderr.write(`ort_eval: ${msg}\n`);
  process.exit(2);
}
const args = process.argv.slice(2);
const pos = [], opt = {n: -1, offset: 0, threads: 1, opt: 'all', predictions: false};
for (let i = 0; i < args.length; i++) {
  const a = args[i];
  if (a === '--predictions') opt.predictions = true;
  else if (['--n', '--offset', '--threads', '--opt'].includes(a)) {
    if (i + 1 >= args.length) fail(`${a} needs a value`);
    opt[a.slice(2)] = a === '--opt' ? args[++i] : Number(args[++i]);
  } else if (a.startsWith('--')) fail(`unknown flag ${a}`);
  else pos.push(a);
}
if (pos.length !== 2) fail('usage: node ort_eval.js MODEL.onnx DATA.bin [--n N] [--offset O] [--threads T] [--opt LEVEL] [--predictions]');
const [model, data] = pos;
for (const k of ['n', 'offset', 'threads']) {
  if (!Number.isInteger(opt[k]) || opt[k] < (k === 'n' ? -1 : k === 'threads' ? 1 : 0)) fail(`--${k} ${opt[k]}: bad value`);
}
if (!['all', 'extended', 'basic', 'disabled'].includes(opt.opt)) fail(`--opt ${opt.opt}: want all, extended, basic or disabled`);
let raw;
try { raw = fs.readFileSync(data); } catch (e) { fail(`${data}: ${e.message}`); }
const rec = 3073; // label byte + 3x32x32 pixels
if (raw.length === 0 || raw.length % rec !== 0) fail(`${data}: ${raw.length} bytes is not a whole number of CIFAR-10 records`);
const total = raw.length / rec;
if (opt.offset >= total) fail(`--offset ${opt.offset}: ${data} has ${total} images`);
const n = opt.n < 0 ? total - opt.offset : opt.n;
if (opt.offset + n > total) fail(`--offset ${opt.offset} --n ${n}: ${data} has ${total} images`);

(async () => {
  let s;
  try {
    s = await ort.InferenceSession.create(model, {intraOpNumThreads: opt.threads, interOpNumThreads: 1,
      graphOptimizationLevel: opt.opt, executionMode: 'sequential'});
  } catch (e) { fail(`${model}: ${e.message}`); }
  const chunk = 500, preds = [];
  let correct = 0;
  for (let i = 0; i < n; i += chunk) {
    const c = Math.min(chunk, n - i);
    const x = new Float32Array(c * 3072);
    for (let k = 0; k < c; k++) {
      const off = (opt.offset + i + k) * rec + 1;
      for (let j = 0; j < 3072; j++) x[k * 3072 + j] = raw[off + j] / 255;
    }
    const out = await s.run({image: new ort.Tensor('float32', x, [c, 3, 32, 32])});
    const l = out.logits.data, classes = l.length / c;
    for (let k = 0; k < c; k++) {
      let best = 0;
      for (let j = 1; j < classes; j++) if (l[k * classes + j] > l[k * classes + best]) best = j;
      preds.push(best);
      if (best === raw[(opt.offset + i + k) * rec]) correct++;
    }
  }
  const res = {model: model.split('/').pop(), data: data.split('/').pop(), offset: opt.offset, n, correct,
    top1: n ? correct / n : 0, threads: opt.threads, opt: opt.opt, ort: require(
      (process.env.ORT_NODE || 'onnxruntime-node') + '/package.json').version};
  if (opt.predictions) res.predictions = preds;
  console.log(JSON.stringify(res));
})().catch(e => fail(e.message));
