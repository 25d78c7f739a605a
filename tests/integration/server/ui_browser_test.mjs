// Drives headless Chromium (Debian's /usr/bin/chromium) through promlet's web
// UI with playwright-core: run a query and see a graph drawn, then see the
// targets' health. Exits non-zero with a reason on any failure.
//   node ui_browser_test.mjs <base-url> <screenshot-dir>
import { createRequire } from 'module';
const require = createRequire(import.meta.url);
const webDir = process.env.PROMLET_WEB_DIR;
const { chromium } = require(`${webDir}/node_modules/playwright-core`);

const [base, outDir] = process.argv.slice(2);
const fail = (msg) => { console.error(`ui test: ${msg}`); process.exit(1); };

const browser = await chromium.launch({
  executablePath: '/usr/bin/chromium',
  args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run',
         '--disable-background-networking', '--disable-component-update', '--disable-sync'],
});
try {
  const page = await browser.newPage({ viewport: { width: 1200, height: 800 } });
  const errors = [];
  page.on('pageerror', (e) => errors.push(e.message));

  await page.goto(`${base}/graph`);
  await page.fill('#expr', 'up');
  await page.selectOption('#range', '60');
  await page.click('#execute');
  // uPlot draws into a canvas inside #graph once the range query returns.
  await page.waitForSelector('#graph canvas', { timeout: 15000 }).catch(() => fail('no graph canvas drawn'));
  await page.waitForFunction(() => document.querySelector('#legend').textContent.includes('up{'),
                             null, { timeout: 15000 }).catch(() => fail('legend has no up series'));
  // The series must really be drawn: count canvas pixels in its colour
  // (the first palette entry, #1f77b4).
  const drawn = await page.evaluate(() => {
    const c = document.querySelector('#graph canvas');
    const d = c.getContext('2d').getImageData(0, 0, c.width, c.height).data;
    let n = 0;
    for (let i = 0; i < d.length; i += 4) {
      if (Math.abs(d[i] - 0x1f) < 40 && Math.abs(d[i + 1] - 0x77) < 40 && Math.abs(d[i + 2] - 0xb4) < 40 && d[i + 3] > 100) n++;
    }
    return n;
  });
  await page.screenshot({ path: `${outDir}/query-graph.png`, fullPage: true });
  if (drawn < 50) fail(`graph canvas has only ${drawn} pixels of the series colour`);

  await page.click('#tab-table');
  const rows = await page.locator('#table tbody tr').count();
  if (rows < 1) fail('table has no rows');

  await page.click('#nav-targets');
  await page.waitForSelector('td.health-up', { timeout: 15000 }).catch(() => fail('no healthy target shown'));
  const health = await page.locator('#targets td[class^="health-"]').allTextContents();
  await page.screenshot({ path: `${outDir}/targets.png`, fullPage: true });
  if (errors.length) fail(`page errors: ${errors.join('; ')}`);
  console.log(`ui test: ok, ${drawn} series pixels, ${rows} table rows, target health: ${health.join(',')}`);
} finally {
  await browser.close();
}
