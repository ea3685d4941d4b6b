import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-backend-wasm';
import '@tensorflow/tfjs-backend-cpu';
await tf.setBackend('wasm');
const shapes = [
  {name:'conv2-L1', x:[60,32,32,3], k:3, co:64, s:1, pad:'same'},
  {name:'conv2-L2', x:[60,32,32,64], k:3, co:64, s:1, pad:'same'},
  {name:'resnet-s2', x:[64,16,16,128], k:3, co:128, s:2, pad:'same'},
  {name:'resnet20-s2', x:[64,32,32,16], k:3, co:32, s:2, pad:'same'},
];
function time(f, reps=2) { f().dispose(); let best=1e9; for (let i=0;i<reps;i++){const t=performance.now(); const r=f(); r.dataSync(); best=Math.min(best, performance.now()-t); r.dispose();} return best; }
function info(xs, k, s, pad) { const [N,H,W,Ci]=xs; const OH = pad==='same'?Math.ceil(H/s):Math.ceil((H-k+1)/s); const OW=OH;
  const padH = pad==='same'? Math.max((OH-1)*s+k-H,0):0; const pt=Math.floor(padH/2); return {N,H,W,Ci,OH,OW,pt,pl:pt}; }
// A: conv with dy as filter, dilation s
function candA(x, dy, k, s, pad) { return tf.tidy(()=>{ const {N,H,W,Ci,OH,OW,pt,pl}=info(x.shape,k,s,pad);
  const needH=(OH-1)*s+k, needW=(OW-1)*s+k; const pb=needH-H-pt, pr=needW-W-pl; // assume >=0
  const xt = tf.transpose(x,[3,1,2,0]); const ft = tf.transpose(dy,[1,2,0,3]);
  const out = tf.conv2d(xt, ft, 1, [[0,0],[pt,pb],[pl,pr],[0,0]], 'NHWC', s);
  return tf.transpose(out,[1,2,0,3]); }); }
// B: k*k slices, a = dyT [Co,M] once, b = slice [M,Ci] => [Co,Ci]
function candB(x, dy, k, s, pad) { return tf.tidy(()=>{ const {N,H,W,Ci,OH,OW,pt,pl}=info(x.shape,k,s,pad);
  const needH=(OH-1)*s+k, needW=(OW-1)*s+k; const xp = tf.pad(x,[[0,0],[pt,needH-H-pt],[pl,needW-W-pl],[0,0]]);
  const M=N*OH*OW, Co=dy.shape[3]; const dyT = tf.transpose(tf.reshape(dy,[M,Co]));
  const parts=[]; for (let i=0;i<k;i++) for (let j=0;j<k;j++) {
    const xs = s===1 ? tf.slice(xp,[0,i,j,0],[N,OH,OW,Ci]) : tf.stridedSlice(xp,[0,i,j,0],[N,i+(OH-1)*s+1,j+(OW-1)*s+1,Ci],[1,s,s,1]);
    parts.push(tf.matMul(dyT, tf.reshape(xs,[M,Ci]))); }
  return tf.transpose(tf.reshape(tf.stack(parts),[k,k,Co,Ci]),[0,1,3,2]); }); }
// B2: slices transposed, b = dy [M,Co] (operator cached on dy)
function candB2(x, dy, k, s, pad) { return tf.tidy(()=>{ const {N,H,W,Ci,OH,OW,pt,pl}=info(x.shape,k,s,pad);
  const needH=(OH-1)*s+k, needW=(OW-1)*s+k; const xp = tf.pad(x,[[0,0],[pt,needH-H-pt],[pl,needW-W-pl],[0,0]]);
  const M=N*OH*OW, Co=dy.shape[3]; const dyR = tf.reshape(dy,[M,Co]);
  const parts=[]; for (let i=0;i<k;i++) for (let j=0;j<k;j++) {
    const xs = s===1 ? tf.slice(xp,[0,i,j,0],[N,OH,OW,Ci]) : tf.stridedSlice(xp,[0,i,j,0],[N,i+(OH-1)*s+1,j+(OW-1)*s+1,Ci],[1,s,s,1]);
    parts.push(tf.matMul(tf.transpose(tf.reshape(xs,[M,Ci])), dyR)); }
  return tf.reshape(tf.stack(parts),[k,k,Ci,Co]); }); }
// C: im2col + one GEMM
function candC(x, dy, k, s, pad) { return tf.tidy(()=>{ const {N,H,W,Ci,OH,OW,pt,pl}=info(x.shape,k,s,pad);
  const needH=(OH-1)*s+k, needW=(OW-1)*s+k; const xp = tf.pad(x,[[0,0],[pt,needH-H-pt],[pl,needW-W-pl],[0,0]]);
  const M=N*OH*OW, Co=dy.shape[3]; const parts=[]; for (let i=0;i<k;i++) for (let j=0;j<k;j++) {
    parts.push(s===1 ? tf.slice(xp,[0,i,j,0],[N,OH,OW,Ci]) : tf.stridedSlice(xp,[0,i,j,0],[N,i+(OH-1)*s+1,j+(OW-1)*s+1,Ci],[1,s,s,1])); }
  const cols = tf.transpose(tf.reshape(tf.concat(parts,3),[M,k*k*Ci]));
  return tf.reshape(tf.matMul(cols, tf.reshape(dy,[M,Co])),[k,k,Ci,Co]); }); }
// dx: D1 zero insertion + conv
function candD(dy, w, xshape, s, pad) { return tf.tidy(()=>{ const k=w.shape[0]; const {N,H,W,OH,OW,pt,pl}=info(xshape,k,s,pad); const Co=dy.shape[3];
  let d = dy; if (s>1) d = tf.reshape(tf.pad(tf.reshape(dy,[N,OH,1,OW,1,Co]),[[0,0],[0,0],[0,s-1],[0,0],[0,s-1],[0,0]]),[N,OH*s,OW*s,Co]);
  const top=k-1-pt, left=k-1-pl; const bottom=H+k-1-top-d.shape[1], right=W+k-1-left-d.shape[2];
  if (bottom<0 || right<0) d = tf.slice(d,[0,0,0,0],[N,d.shape[1]+Math.min(bottom,0),d.shape[2]+Math.min(right,0),Co]);
  const wt = tf.transpose(tf.reverse(w,[0,1]),[0,1,3,2]);
  return tf.conv2d(d, wt, 1, [[0,0],[top,Math.max(bottom,0)],[left,Math.max(right,0)],[0,0]]); }); }
for (const sh of shapes) {
  const x = tf.randomNormal(sh.x,0,1,'float32',1); const w = tf.randomNormal([sh.k,sh.k,sh.x[3],sh.co],0,0.1,'float32',2);
  const y = tf.conv2d(x,w,sh.s,sh.pad); const dy = tf.randomNormal(y.shape,0,1,'float32',3);
  const line = {shape: sh.name};
  console.error("fwd"); line.fwd = time(()=>tf.conv2d(x,w,sh.s,sh.pad));
  const ref = await (async()=>{ await tf.setBackend('cpu'); const xc=tf.tensor(x.dataSync(),x.shape), dyc=tf.tensor(dy.dataSync(),dy.shape), wc=tf.tensor(w.dataSync(), w.shape);
     const t=performance.now(); const r=tf.engine().runKernel('Conv2DBackpropFilter',{x:xc,dy:dyc},{strides:sh.s,pad:sh.pad,dataFormat:'NHWC',filterShape:w.shape});
     line.cpuFilter = performance.now()-t; const dxr = tf.engine().runKernel('Conv2DBackpropInput',{dy:dyc,filter:wc},{strides:sh.s,pad:sh.pad,dataFormat:'NHWC',inputShape:x.shape}); const dxv = dxr.dataSync(); const v=r.dataSync(); await tf.setBackend('wasm'); return {v, dxv}; })();
  console.error("ref done", line.cpuFilter);
  for (const [n,f] of [['A',candA],['B',candB],['B2',candB2],['C',candC]]) {
    console.error(n); try { line[n] = time(()=>f(x,dy,sh.k,sh.s,sh.pad)); const r=f(x,dy,sh.k,sh.s,sh.pad).dataSync(); let md=0,mx=0; r.forEach((v,i)=>{md=Math.max(md,Math.abs(v-ref.v[i]));mx=Math.max(mx,Math.abs(ref.v[i]));}); line[n+'err']=(md/mx).toExponential(1);} catch(e){ line[n]='ERR '+e.message.slice(0,80); }
  }
  line.dxWasm = time(()=>tf.engine().runKernel('Conv2DBackpropInput',{dy,filter:w},{strides:sh.s,pad:sh.pad,dataFormat:'NHWC',inputShape:x.shape}),1);
  line.D = time(()=>candD(dy,w,x.shape,sh.s,sh.pad)); { const r=candD(dy,w,x.shape,sh.s,sh.pad).dataSync(); let md=0,mx=0; r.forEach((v,i)=>{md=Math.max(md,Math.abs(v-ref.dxv[i]));mx=Math.max(mx,Math.abs(ref.dxv[i]));}); line.Derr=(md/mx).toExponential(1); }
  for (const k of Object.keys(line)) if (typeof line[k]==='number') line[k]=Math.round(line[k]);
  console.log(JSON.stringify(line));
}
