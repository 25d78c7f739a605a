// promlet web UI: a query page (graph + table), a targets page and a TSDB
// status page. Plain JS, no build step; uPlot draws the graphs. Everything is
// served by the promlet binary, so it works with no internet.
'use strict';

const $ = (id) => document.getElementById(id);

function escapeHtml(s) {
  return String(s).replace(/[&<>"']/g, (c) => ({'&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;'}[c]));
}

function seriesName(metric) {
  const name = metric.__name__ || '';
  const labels = Object.keys(metric).filter((k) => k !== '__name__').sort()
    .map((k) => `${k}="${metric[k]}"`);
  return labels.length ? `${name}{${labels.join(', ')}}` : (name || '{}');
}

async function api(path, params) {
  const body = new URLSearchParams(params || {});
  const resp = await fetch(path, {method: params ? 'POST' : 'GET', body: params ? body : undefined,
    headers: params ? {'Content-Type': 'application/x-www-form-urlencoded'} : {}});
  const json = await resp.json().catch(() => ({status: 'error', error: `HTTP ${resp.status}`}));
  if (json.status !== 'success') throw new Error(json.error || `HTTP ${resp.status}`);
  return json;
}

// ---- Query page ----
let plot = null;
let activeTab = 'graph';

function showTab(tab) {
  activeTab = tab;
  $('tab-graph').classList.toggle('active', tab === 'graph');
  $('tab-table').classList.toggle('active', tab === 'table');
  $('graph').hidden = tab !== 'graph';
  $('legend').hidden = tab !== 'graph';
  $('table').hidden = tab !== 'table';
}

const palette = ['#1f77b4', '#ff7f0e', '#2ca02c', '#d62728', '#9467bd', '#8c564b', '#e377c2', '#7f7f7f', '#bcbd22', '#17becf'];

function drawGraph(result, start, end, step) {
  const times = [];
  for (let t = start; t <= end + 1e-9; t += step) times.push(t);
  const index = new Map(times.map((t, i) => [Math.round(t * 1000), i]));
  const data = [times];
  const series = [{}];
  result.forEach((s, i) => {
    const ys = new Array(times.length).fill(null);
    for (const [t, v] of s.values) {
      const idx = index.get(Math.round(t * 1000));
      if (idx !== undefined) ys[idx] = parseFloat(v);
    }
    data.push(ys);
    // Few points: draw them as dots too, or a sparse series would be invisible.
    const present = ys.filter((y) => y !== null).length;
    series.push({label: seriesName(s.metric), stroke: palette[i % palette.length], width: 1.5,
                 spanGaps: false, points: {show: present < 60, size: 5}});
  });
  if (plot) { plot.destroy(); plot = null; }
  const width = Math.max(400, $('graph').clientWidth || document.body.clientWidth - 40);
  plot = new uPlot({width, height: 360, series, legend: {show: false}, scales: {x: {time: true}}}, data, $('graph'));
  $('legend').innerHTML = series.slice(1).map((s) =>
    `<div><span style="color:${s.stroke}">&#9632;</span> ${escapeHtml(s.label)}</div>`).join('');
}

function fillTable(data) {
  const tbody = $('table').querySelector('tbody');
  let rows = [];
  if (data.resultType === 'vector') {
    rows = data.result.map((s) => [seriesName(s.metric), s.value[1]]);
  } else if (data.resultType === 'matrix') {
    rows = data.result.map((s) => [seriesName(s.metric), s.values.map((v) => `${v[1]} @${v[0]}`).join('\n')]);
  } else {
    rows = [['', data.result[1]]];
  }
  tbody.innerHTML = rows.map(([n, v]) => `<tr><td class="mono">${escapeHtml(n)}</td><td class="mono">${escapeHtml(v)}</td></tr>`).join('')
    || '<tr><td colspan="2">Empty result</td></tr>';
}

async function runQuery(ev) {
  if (ev) ev.preventDefault();
  const expr = $('expr').value.trim();
  if (!expr) return;
  const url = new URL(window.location);
  url.hash = `#/graph?expr=${encodeURIComponent(expr)}`;
  history.replaceState(null, '', url);
  $('query-error').hidden = true;
  const end = Date.now() / 1000;
  const range = parseInt($('range').value, 10);
  const step = Math.max(1, Math.ceil(range / 250));
  const start = end - range;
  const t0 = performance.now();
  try {
    const [inst, rng] = await Promise.all([
      api('api/v1/query', {query: expr, time: end}),
      api('api/v1/query_range', {query: expr, start: Math.floor(start / step) * step, end: Math.floor(end / step) * step, step}),
    ]);
    fillTable(inst.data);
    if (rng.data.resultType === 'matrix') {
      drawGraph(rng.data.result, Math.floor(start / step) * step, Math.floor(end / step) * step, step);
    }
    $('query-stats').textContent = `${(performance.now() - t0).toFixed(0)} ms, ${rng.data.result.length} series`;
  } catch (e) {
    $('query-error').textContent = e.message;
    $('query-error').hidden = false;
  }
}

// ---- Targets page ----
async function loadTargets() {
  const el = $('targets');
  try {
    const json = await api('api/v1/targets');
    const byPool = new Map();
    for (const t of json.data.activeTargets) {
      if (!byPool.has(t.scrapePool)) byPool.set(t.scrapePool, []);
      byPool.get(t.scrapePool).push(t);
    }
    let html = '';
    for (const [pool, targets] of byPool) {
      const up = targets.filter((t) => t.health === 'up').length;
      html += `<h3>${escapeHtml(pool)} (${up}/${targets.length} up)</h3><table class="targets"><thead><tr>` +
        '<th>Endpoint</th><th>State</th><th>Labels</th><th>Last scrape</th><th>Duration</th><th>Error</th></tr></thead><tbody>';
      for (const t of targets) {
        const labels = Object.entries(t.labels).map(([k, v]) => `${k}="${v}"`).join(', ');
        const ago = t.lastScrape && !t.lastScrape.startsWith('0001') ? `${((Date.now() - Date.parse(t.lastScrape)) / 1000).toFixed(1)}s ago` : 'never';
        html += `<tr><td class="mono">${escapeHtml(t.scrapeUrl)}</td>` +
          `<td class="health-${escapeHtml(t.health)}">${escapeHtml(t.health.toUpperCase())}</td>` +
          `<td class="mono">${escapeHtml(labels)}</td><td>${ago}</td>` +
          `<td>${(t.lastScrapeDuration * 1000).toFixed(1)} ms</td><td class="mono">${escapeHtml(t.lastError || '')}</td></tr>`;
      }
      html += '</tbody></table>';
    }
    el.innerHTML = html || '<p>No targets configured.</p>';
  } catch (e) {
    el.innerHTML = `<div class="error">${escapeHtml(e.message)}</div>`;
  }
}

// ---- TSDB status page ----
function statTable(title, rows, col) {
  if (!rows || !rows.length) return '';
  return `<h3>${escapeHtml(title)}</h3><table><thead><tr><th>Name</th><th>${escapeHtml(col)}</th></tr></thead><tbody>` +
    rows.map((r) => `<tr><td class="mono">${escapeHtml(r.name)}</td><td>${r.value}</td></tr>`).join('') + '</tbody></table>';
}

async function loadTsdb() {
  const el = $('tsdb');
  try {
    const {data} = await api('api/v1/status/tsdb');
    const h = data.headStats || {};
    el.innerHTML = '<h3>Head</h3><table><tbody>' +
      [['Series', h.numSeries], ['Chunks', h.chunkCount], ['Label pairs', h.numLabelPairs],
       ['Min time', h.minTime ? new Date(h.minTime).toISOString() : ''],
       ['Max time', h.maxTime ? new Date(h.maxTime).toISOString() : '']]
        .map(([k, v]) => `<tr><td>${k}</td><td>${v ?? ''}</td></tr>`).join('') + '</tbody></table>' +
      statTable('Top series count by metric name', data.seriesCountByMetricName, 'Series') +
      statTable('Top label names by value count', data.labelValueCountByLabelName, 'Values') +
      statTable('Top label names by memory', data.memoryInBytesByLabelName, 'Bytes') +
      statTable('Top series count by label pair', data.seriesCountByLabelValuePair, 'Series');
  } catch (e) {
    el.innerHTML = `<div class="error">${escapeHtml(e.message)}</div>`;
  }
}

// ---- Routing ----
function route() {
  const hash = window.location.hash || '#/graph';
  const [path, query] = hash.slice(1).split('?');
  for (const page of ['graph', 'targets', 'tsdb']) {
    $(`page-${page}`).hidden = path !== `/${page}`;
    $(`nav-${page}`).classList.toggle('active', path === `/${page}`);
  }
  if (path === '/targets') loadTargets();
  if (path === '/tsdb') loadTsdb();
  if (path === '/graph' && query) {
    const expr = new URLSearchParams(query).get('expr');
    if (expr && expr !== $('expr').value) { $('expr').value = expr; runQuery(); }
  }
}

$('query-form').addEventListener('submit', runQuery);
$('expr').addEventListener('keydown', (e) => { if (e.key === 'Enter' && !e.shiftKey) runQuery(e); });
$('tab-graph').addEventListener('click', () => showTab('graph'));
$('tab-table').addEventListener('click', () => showTab('table'));
window.addEventListener('hashchange', route);
showTab('graph');
route();
