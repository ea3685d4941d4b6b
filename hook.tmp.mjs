import { register } from 'node:module';
import { createRequire } from 'node:module';
import { pathToFileURL } from 'node:url';
import path from 'node:path';
const req = createRequire(import.meta.url);
const coreDir = pathToFileURL(path.dirname(req.resolve('@tensorflow/tfjs-core/package.json')) + '/dist/').href;
const code = `
const base = ${JSON.stringify(coreDir)};
export async function resolve(spec, ctx, next) {
  if (ctx.parentURL && ctx.parentURL.startsWith(base) && spec.startsWith('.') && !spec.endsWith('.js')) {
    try { return await next(spec + '.js', ctx); } catch { return next(spec + '/index.js', ctx); }
  }
  return next(spec, ctx);
}
export async function load(url, ctx, next) {
  if (url.startsWith(base) && !url.endsWith('tf-core.node.js')) return next(url, { ...ctx, format: 'module' });
  return next(url, ctx);
}`;
register('data:text/javascript,' + encodeURIComponent(code));
const t0 = performance.now();
const tf = await import('@tensorflow/tfjs-core');
await import('@tensorflow/tfjs-backend-cpu');
await import('@tensorflow/tfjs-core/dist/register_all_gradients.js');
await import('@tensorflow/tfjs-core/dist/public/chained_ops/register_all_chained_ops.js');
console.log('loaded ms', performance.now() - t0);
await tf.setBackend('cpu');
const x = tf.tensor([1,2,3]);
const g = tf.grad(x => tf.sum(tf.square(x)))(x);
g.print(); x.square().sum().print();
console.log(tf.getGradient('Conv2D') != null);
