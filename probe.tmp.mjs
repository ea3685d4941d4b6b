import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-backend-cpu';
import '@tensorflow/tfjs-backend-wasm';
await tf.ready();
const cases = {
  conv_s1_same: (x,w)=>tf.conv2d(x,w,1,'same').sum(),
  conv_s2_same: (x,w)=>tf.conv2d(x,w,2,'same').sum(),
  conv_s1_valid: (x,w)=>tf.conv2d(x,w,1,'valid').sum(),
  maxPool: (x)=>tf.maxPool(x,2,2,'valid').sum(),
  avgPool: (x)=>tf.avgPool(x,2,2,'same').sum(),
  relu: (x)=>tf.relu(x).sum(),
  moments_bn: (x)=>{const {mean,variance}=tf.moments(x,[0,1,2]); return tf.mul(tf.sub(x,mean), tf.rsqrt(tf.add(variance,1e-5))).square().sum();},
  batchNorm: (x)=>{const {mean,variance}=tf.moments(x,[0,1,2]); return tf.batchNorm(x,mean,variance,undefined,undefined,1e-3).square().sum();},
  logSoftmaxCE: (x)=>tf.neg(tf.mean(tf.sum(tf.mul(tf.logSoftmax(tf.reshape(x,[2,-1])), tf.onesLike(tf.reshape(x,[2,-1]))),1))),
  softmaxCE: (x)=>tf.losses.softmaxCrossEntropy(tf.oneHot([1,0],tf.reshape(x,[2,-1]).shape[1]), tf.reshape(x,[2,-1])),
  matMul: (x)=>tf.matMul(tf.reshape(x,[2,-1]), tf.reshape(x,[2,-1]), false, true).sum(),
  pad: (x)=>tf.pad(x,[[0,0],[1,1],[1,1],[0,0]]).square().sum(),
  padChan: (x)=>tf.pad(x,[[0,0],[0,0],[0,0],[2,2]]).square().sum(),
  reshape: (x)=>tf.reshape(x,[-1]).square().sum(),
  concat: (x)=>tf.concat([x,tf.mul(x,2)],3).square().sum(),
  addBroadcast: (x)=>tf.add(x, tf.sum(x,[0,1,2])).square().sum(),
  meanAxes: (x)=>tf.mean(x,[1,2]).square().sum(),
  sigmoid: (x)=>tf.sigmoid(x).sum(),
  tanh: (x)=>tf.tanh(x).sum(),
  leakyRelu: (x)=>tf.leakyRelu(x,0.1).sum(),
  elu: (x)=>tf.elu(x).sum(),
  maximum: (x)=>tf.maximum(x,0.1).sum(),
  clip: (x)=>tf.clipByValue(x,-0.5,0.5).sum(),
  slice: (x)=>tf.slice(x,[0,1,1,0],[-1,2,2,-1]).square().sum(),
  stridedSlice: (x)=>tf.stridedSlice(x,[0,0,0,0],[2,4,4,3],[1,2,2,1]).square().sum(),
  transpose: (x)=>tf.transpose(x,[0,3,1,2]).square().sum(),
  tile: (x)=>tf.tile(x,[1,1,1,2]).square().sum(),
  sqrt: (x)=>tf.sqrt(tf.abs(x)).sum(),
  div: (x)=>tf.div(x, tf.add(tf.square(x),1)).sum(),
  l2: (x)=>tf.sum(tf.squaredDifference(x, 0.3)),
  gather: (x)=>tf.gather(tf.reshape(x,[-1]), tf.tensor1d([0,3,5],'int32')).sum(),
  dropoutLike: (x)=>tf.mul(x, tf.cast(tf.greater(x,0),'float32')).sum(),
  max: (x)=>tf.max(x,[1,2]).sum(),
  logSumExp: (x)=>tf.logSumExp(x,[3]).sum(),
  depthwise: (x,w)=>tf.depthwiseConv2d(x, tf.slice(w,[0,0,0,0],[3,3,3,1]), 1, 'same').sum(),
  fusedConv: (x,w)=>tf.fused.conv2d({x, filter:w, strides:1, pad:'same', activation:'relu', bias: tf.ones([4])}).sum(),
  fusedMatMul: (x)=>tf.fused.matMul({a: tf.reshape(x,[2,-1]), b: tf.reshape(x,[-1,2]).slice([0,0],[tf.reshape(x,[2,-1]).shape[1],2]), activation:'relu', bias: tf.ones([2])}).sum(),
};
const xs = tf.randomNormal([2,4,4,3],0,1,'float32',1); const ws = tf.randomNormal([3,3,3,4],0,1,'float32',2);
const xv = xs.arraySync(), wv = ws.arraySync();
for (const [name, f] of Object.entries(cases)) {
  const res = {};
  for (const b of ['cpu','wasm']) {
    await tf.setBackend(b);
    try {
      const x = tf.tensor(xv), w = tf.tensor(wv);
      const g = tf.grads((x,w)=>f(x,w))([x,w]);
      res[b] = g.map(t=>t.arraySync().flat(4));
    } catch (e) { res[b] = 'ERR ' + String(e.message).slice(0,120); }
  }
  let cmp = '';
  if (Array.isArray(res.cpu) && Array.isArray(res.wasm)) {
    let md=0, mx=0; res.cpu.forEach((a,i)=>a.forEach((v,j)=>{md=Math.max(md,Math.abs(v-res.wasm[i][j])); mx=Math.max(mx,Math.abs(v));}));
    cmp = `maxdiff ${md.toExponential(2)} scale ${mx.toFixed(2)}`;
  }
  console.log(name.padEnd(14), typeof res.cpu==='string'?'cpu:'+res.cpu:'cpu ok', '|', typeof res.wasm==='string'?'wasm:'+res.wasm:'wasm ok', cmp);
}
