import * as echarts from 'echarts';
const chart = echarts.init(null, null, { renderer: 'svg', ssr: true, width: 600, height: 300 });
chart.setOption({ animation:false, xAxis: { type: 'log', inverse: true, min: 20, max: 100, axisLabel: { customValues: [100, 80, 64, 51.2, 40, 20] }, axisTick: { customValues: [100, 80, 64, 51.2, 40, 20] } , splitLine:{show:true}}, yAxis: { type: 'value' }, series: [{ type: 'line', data: [[100, 1], [51.2, 2], [26, 3]] }] });
const svg = chart.renderToSVGString();
console.log([...svg.matchAll(/<text[^>]*>([^<]*)<\/text>/g)].map(m=>m[1]).join(' | '));
