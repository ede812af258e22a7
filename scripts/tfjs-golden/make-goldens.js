// Runs the original TF.js graph models (pure-JS CPU backend, the reference runtime) on a deterministic input
// and writes the requested node outputs, so the C# importer tests compare ONNX Runtime against TF.js itself.
// Usage: node make-goldens.js <models-dir> <out-dir>
// Writes, per case, <case>.json (input recipe, output names and shapes, byte offsets) and <case>.bin (float32 LE).
'use strict';
const fs = require('fs');
const path = require('path');
const tf = require('@tensorflow/tfjs-core');
require('@tensorflow/tfjs-backend-cpu');
const tfc = require('@tensorflow/tfjs-converter');

// The deterministic input both sides can build: v(y,x,c) = (3x + 7y + 11c) mod 256, then value*scale + offset.
const CASES = [
  { name: 'centernet-512', model: 'centernet', layout: 'NHWC', size: 512, scale: 1, offset: 0,
    outputs: ['tower_0/keypoints', 'tower_0/wh', 'tower_0/detections', 'tower_0/extern1/hard_swish/mul_1'] },
  { name: 'centernet-224', model: 'centernet', layout: 'NHWC', size: 224, scale: 1, offset: 0,
    outputs: ['tower_0/extern1/hard_swish/mul_1'] },
  { name: 'nanodet-416', model: 'nanodet', layout: 'NCHW', size: 416, scale: 1 / 255, offset: 0,
    outputs: ['Identity', 'Identity_1', 'Identity_2', 'Identity_3', 'Identity_4', 'Identity_5',
              'PartitionedCall/onnx_tf_prefix_Concat_62'] },
  { name: 'nanodet-224', model: 'nanodet', layout: 'NCHW', size: 224, scale: 1 / 255, offset: 0,
    outputs: ['PartitionedCall/onnx_tf_prefix_Concat_62'] },
  { name: 'blazeface-256', model: 'blazeface', layout: 'NHWC', size: 256, scale: 1 / 127.5, offset: -1,
    outputs: ['Identity', 'Identity_1', 'Identity_2', 'Identity_3'] },
  { name: 'faceres-224', model: 'faceres', layout: 'NHWC', size: 224, scale: 1, offset: 0,
    outputs: ['global_pooling/Mean', 'gender_pred/Sigmoid', 'age_pred/Softmax'] },
];

function loadArtifacts(modelsDir, model, size, layout) {
  const json = JSON.parse(fs.readFileSync(path.join(modelsDir, model + '.json'), 'utf8'));
  // Patch the Placeholder shape: unmodified TF.js rejects any other input size.
  for (const node of json.modelTopology.node) {
    if (node.op !== 'Placeholder') continue;
    const dims = node.attr.shape.shape.dim;
    if (layout === 'NHWC') { dims[1].size = String(size); dims[2].size = String(size); }
    else { dims[2].size = String(size); dims[3].size = String(size); }
  }
  const specs = [];
  const buffers = [];
  for (const group of json.weightsManifest) {
    specs.push(...group.weights);
    for (const p of group.paths) buffers.push(fs.readFileSync(path.join(modelsDir, p)));
  }
  const all = Buffer.concat(buffers);
  const weightData = all.buffer.slice(all.byteOffset, all.byteOffset + all.byteLength);
  const signature = json.signature || (json.userDefinedMetadata || {}).signature;
  return {
    modelTopology: json.modelTopology, weightSpecs: specs, weightData, format: json.format,
    generatedBy: json.generatedBy, convertedBy: json.convertedBy, signature,
    userDefinedMetadata: json.userDefinedMetadata,
  };
}

function makeInput(c) {
  const n = c.size;
  const data = new Float32Array(n * n * 3);
  let i = 0;
  if (c.layout === 'NHWC') {
    for (let y = 0; y < n; y++) for (let x = 0; x < n; x++) for (let ch = 0; ch < 3; ch++)
      data[i++] = ((3 * x + 7 * y + 11 * ch) % 256) * c.scale + c.offset;
    return tf.tensor4d(data, [1, n, n, 3]);
  }
  for (let ch = 0; ch < 3; ch++) for (let y = 0; y < n; y++) for (let x = 0; x < n; x++)
    data[i++] = ((3 * x + 7 * y + 11 * ch) % 256) * c.scale + c.offset;
  return tf.tensor4d(data, [1, 3, n, n]);
}

async function main() {
  const [modelsDir, outDir] = process.argv.slice(2);
  if (!modelsDir || !outDir) throw new Error('usage: node make-goldens.js <models-dir> <out-dir>');
  await tf.setBackend('cpu');
  fs.mkdirSync(outDir, { recursive: true });
  for (const c of CASES) {
    const started = Date.now();
    const artifacts = loadArtifacts(modelsDir, c.model, c.size, c.layout);
    const model = await tfc.loadGraphModel(tf.io.fromMemory(artifacts));
    const input = makeInput(c);
    const inputName = model.inputs[0].name;
    const results = model.execute({ [inputName]: input }, c.outputs);
    const list = Array.isArray(results) ? results : [results];
    const outputs = [];
    const chunks = [];
    let offset = 0;
    for (let k = 0; k < list.length; k++) {
      const values = await list[k].data();
      const f32 = Float32Array.from(values);
      chunks.push(Buffer.from(f32.buffer));
      outputs.push({ name: c.outputs[k], shape: list[k].shape, offset, count: f32.length });
      offset += f32.byteLength;
    }
    const meta = { case: c.name, model: c.model, input: { name: inputName, layout: c.layout, size: c.size,
      scale: c.scale, offset: c.offset, formula: '(3x+7y+11c) mod 256' }, tfjs: tf.version_core, outputs };
    fs.writeFileSync(path.join(outDir, c.name + '.bin'), Buffer.concat(chunks));
    fs.writeFileSync(path.join(outDir, c.name + '.json'), JSON.stringify(meta, null, 1));
    tf.dispose([input, ...list]);
    model.dispose();
    console.error(`golden ${c.name}: ${outputs.map(o => o.name + '[' + o.shape + ']').join(', ')} (${Date.now() - started} ms)`);
  }
}

main().catch(e => { console.error(e); process.exit(1); });
