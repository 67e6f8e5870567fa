// End-to-end test of the explorer in headless Chromium (Debian's `chromium`, driven by playwright-core).
//   node e2e/explorer-e2e.mjs <expectations.json> <output dir>
// The expectations come from the records the ledger stored after a devnet run (ExplorerE2EIT writes them):
//   { explorerUrl, hexCount, device: { id, verdicts: [{deliveryId, outcome}] }, owner: { address, claimable, claimed, balance },
//     epoch, rewardDevice, rewardUnits, rewardProofs: [deliveryId] }
// Checks the map's hex count, the device's verdicts and the owner's claimable amount against them, clicks Claim
// and waits for the new balance, and saves a screenshot of each page into the output dir. Prints one JSON line;
// exits non-zero with the failed check's message.
import { chromium } from 'playwright-core';
import { mkdtempSync, readFileSync, rmSync, mkdirSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const [expectationsFile, outDir] = process.argv.slice(2);
if (!expectationsFile || !outDir) {
  console.error('usage: node e2e/explorer-e2e.mjs <expectations.json> <output dir>');
  process.exit(2);
}
const expected = JSON.parse(readFileSync(expectationsFile, 'utf8'));
mkdirSync(outDir, { recursive: true });
rmSync(join(outDir, 'failure.png'), { force: true });
const profile = mkdtempSync(join(tmpdir(), 'flywheel-explorer-chromium-'));
const started = Date.now();
const checks = [];

function check(name, actual, wanted) {
  const ok = JSON.stringify(actual) === JSON.stringify(wanted);
  checks.push({ name, ok, actual, wanted });
  if (!ok) throw new Error(`${name}: expected ${JSON.stringify(wanted)}, the page shows ${JSON.stringify(actual)}`);
}

const context = await chromium.launchPersistentContext(profile, {
  executablePath: process.env.CHROMIUM || '/usr/bin/chromium',
  headless: true,
  args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking',
    '--disable-component-update', '--disable-sync'],
  viewport: { width: 1366, height: 860 },
});
const browserErrors = [];
let result;
let page;
try {
  page = context.pages()[0] || (await context.newPage());
  page.setDefaultTimeout(30_000);
  page.on('pageerror', (e) => browserErrors.push(String(e)));
  // Errors the app logged (a 4xx the error pages ask for on purpose is the browser's "Failed to load resource").
  page.on('console', (m) => {
    if (m.type() === 'error' && !m.text().startsWith('Failed to load resource')) browserErrors.push('console: ' + m.text());
  });

  // A fresh load each time: going to the URL the page is on changes nothing (same hash, no hashchange).
  async function open(hash) {
    await page.goto('about:blank');
    await page.goto(expected.explorerUrl + hash);
    await page.waitForSelector('body[data-ready="true"]');
  }
  const shot = (name) => page.screenshot({ path: join(outDir, name), fullPage: true });

  // Map of the epoch: one polygon per hex, as many as the distinct cells of the devices credited in it.
  await open(`#/map?epoch=${expected.epoch}`);
  await page.waitForSelector('.leaflet-container');
  const hexCount = await page.locator('path.hex').count();
  check('map hexes drawn', hexCount, expected.hexCount);
  check('map hex count shown', Number(await page.getAttribute('[data-field="hex-count"]', 'data-count')), expected.hexCount);
  await page.locator('path.hex').first().click({ force: true });
  await page.waitForSelector('#hex-panel table');
  await shot('map.png');

  // Device: its verdicts, as the ledger stored them.
  await open(`#/device/${encodeURIComponent(expected.device.id)}`);
  const verdicts = await page.$$eval('[data-verdict]', (els) => els.map((e) => ({ deliveryId: e.dataset.delivery, outcome: e.dataset.verdict })));
  const sort = (l) => l.map((v) => `${v.deliveryId}:${v.outcome}`).sort();
  check('device verdicts', sort(verdicts), sort(expected.device.verdicts));
  await shot('device.png');

  // Owner: claimable as stored (ledger leaf minus claimed on chain); Claim through the test wallet; balance moves.
  await open(`#/owner/${expected.owner.address}`);
  check('owner claimable', await page.getAttribute('[data-field="claimable"]', 'data-wei'), expected.owner.claimable);
  const before = BigInt(await page.getAttribute('[data-field="balance"]', 'data-wei'));
  check('balance before claim', before.toString(), expected.owner.balance);
  const claimedBefore = BigInt(await page.getAttribute('[data-field="claimed"]', 'data-wei'));
  check('claimed before claim', claimedBefore.toString(), expected.owner.claimed);
  await shot('owner.png');
  // The settler keeps publishing while the page is open: a claim fetched just before a new root becomes active reverts,
  // and a person would load the page again and retry. So does this, twice at most, and says so in its result.
  const claimRetries = [];
  for (let attempt = 1; ; attempt++) {
    await page.click('button#claim');
    // The page reads the owner again after the claim is mined: wait for that re-render (or the error).
    await page.waitForSelector('#claim-result[data-refreshed="true"], #claim-result .error', { timeout: 60_000 });
    if ((await page.locator('#claim-result .error').count()) === 0) break;
    const why = await page.textContent('#claim-result');
    if (attempt === 3) throw new Error('claim failed in the page: ' + why);
    claimRetries.push(why);
    await page.waitForTimeout(3000);
    await open(`#/owner/${expected.owner.address}`);
  }
  const after = BigInt(await page.getAttribute('[data-field="new-balance"]', 'data-wei'));
  check('balance after claim', after.toString(), (before + BigInt(expected.owner.claimable)).toString());
  const claimTx = await page.textContent('[data-field="claim-tx"]');
  // The summary rows on the same page, refreshed without a reload: claimed grew by the claim, nothing left to claim,
  // the balance row agrees with the chain.
  check('claimed row after claim', await page.getAttribute('[data-field="claimed"]', 'data-wei'),
    (claimedBefore + BigInt(expected.owner.claimable)).toString());
  check('claimable row after claim', await page.getAttribute('[data-field="claimable"]', 'data-wei'), '0');
  check('balance row after claim', await page.getAttribute('[data-field="balance"]', 'data-wei'), after.toString());
  check('claim button after claim', await page.locator('button#claim').isDisabled(), true);
  await shot('owner-claimed.png');
  await open(`#/owner/${expected.owner.address}`);
  check('claimable after claim', await page.getAttribute('[data-field="claimable"]', 'data-wei'), '0');

  // Epoch: the root on chain matches the ledger's.
  await open(`#/epoch/${expected.epoch}`);
  check('epoch root on chain', (await page.textContent('[data-field="root-match"]')).trim(), 'matches');
  await shot('epoch.png');

  // Evidence chain: a device's reward and the accepted proofs behind it.
  await open(`#/epoch/${expected.epoch}/device/${encodeURIComponent(expected.rewardDevice)}`);
  const accepted = await page.locator('[data-field="accepted-proofs"] [data-verdict="accepted"]').count();
  if (accepted < 1) throw new Error('the reward page lists no accepted proof behind the reward');
  await shot('evidence.png');
  // The last link from the paper trail (the S3 objects the verifier wrote; Athena on AWS): one click.
  await page.click('[data-action="paper-trail"]');
  await page.waitForSelector('[data-field="paper-trail"][data-state="done"], [data-field="paper-trail"][data-state="error"]');
  const trailState = await page.getAttribute('[data-field="paper-trail"]', 'data-state');
  if (trailState !== 'done') throw new Error('paper trail: ' + await page.textContent('[data-field="paper-trail"]'));
  const trailDeliveries = (await page.locator('[data-field="paper-trail"] [data-trail-delivery]').evaluateAll(
    (cells) => cells.map((c) => c.dataset.trailDelivery))).sort();
  check('paper-trail proofs', trailDeliveries, expected.rewardProofs);
  check('paper-trail count', Number(await page.textContent('[data-field="paper-trail-count"]')), expected.rewardProofs.length);
  check('paper-trail units = the reward\'s units', Number(await page.textContent('[data-field="paper-trail-units"]')), expected.rewardUnits);
  await shot('paper-trail.png');

  // Bad input: a readable error, not a broken page.
  await open('#/device/no-such-device');
  const error = await page.textContent('.error');
  if (!/no device no-such-device is registered/.test(error)) throw new Error('unknown device: page shows ' + error);
  await open('#/owner/0x123');
  if (!/0x followed by 40 hex digits/.test(await page.textContent('.error'))) throw new Error('malformed address not explained');
  await shot('error.png');

  if (browserErrors.length) throw new Error('uncaught errors in the page: ' + browserErrors.join('; '));
  result = { ok: true, checks: checks.length, hexCount, verdicts: verdicts.length, trailProofs: trailDeliveries.length, claimable: expected.owner.claimable,
    claimTx, claimRetries, balanceBefore: before.toString(), balanceAfter: after.toString(), seconds: (Date.now() - started) / 1000, screenshots: outDir };
} catch (e) {
  // What the page showed when it failed: its text and a screenshot.
  let shown = null;
  try {
    shown = (await page.textContent('#app')).replace(/\s+/g, ' ').trim().slice(0, 600);
    await page.screenshot({ path: join(outDir, 'failure.png'), fullPage: true });
  } catch {
    // the page itself is gone
  }
  result = { ok: false, error: e.message, page: shown, checks, browserErrors, seconds: (Date.now() - started) / 1000 };
} finally {
  await context.close();
  rmSync(profile, { recursive: true, force: true });
}
writeFileSync(join(outDir, 'result.json'), JSON.stringify(result, null, 2));
console.log(JSON.stringify(result));
process.exit(result.ok ? 0 : 1);
