// Flywheel explorer: a hash-routed single-page app over the claims API's /network/* endpoints.
//   #/map[?epoch=N&metric=active|rewards&cell=<h3>]   hexes coloured by active devices or rewards; a hex's devices
//   #/device/<id>                                      status, owner, location and history, verdicts, rewards per epoch
//   #/owner/<0x…>                                      devices, earned, claimed (chain), claimable, Claim button
//   #/epoch/<n|latest>                                 emission, pools, manifest, root, transaction, on-chain match
//   #/epoch/<n>/device/<id>                            a device's reward in an epoch and the accepted proofs behind it
import './style.css';
import { api, apiUrl, loadConfig, getConfig, ApiError } from './api.js';
import { fly, esc, short, link } from './format.js';
import { installTestWallet } from './testwallet.js';
// Split off (dynamic imports): the map (Leaflet, h3-js, world-atlas outlines) loads on the map page only, and
// ethers with the claim code (wallet.js) only when Claim is clicked.

const app = document.getElementById('app');
const MAP_RESOLUTION = 8;
const MAP_RESOLUTIONS = ['5', '8'];
let summary = null;
let currentMap = null;

function errorBox(e) {
  const status = e instanceof ApiError && e.status ? ` (HTTP ${e.status}${e.code ? `, ${esc(e.code)}` : ''})` : '';
  return `<div class="error" role="alert"><strong>Could not load this page${status}.</strong><p>${esc(e.message)}</p></div>`;
}

function kv(rows) {
  return `<dl class="kv">${rows.map(([k, v]) => `<dt>${esc(k)}</dt><dd>${v}</dd>`).join('')}</dl>`;
}

function wei(field, value) {
  return `<span data-field="${field}" data-wei="${esc(value)}">${esc(fly(value))}</span>`;
}

function table(headers, rows, empty = 'None.') {
  if (rows.length === 0) return `<p class="muted">${esc(empty)}</p>`;
  return `<table><thead><tr>${headers.map((h) => `<th>${esc(h)}</th>`).join('')}</tr></thead>`
    + `<tbody>${rows.map((r) => `<tr>${r.map((c) => `<td>${c}</td>`).join('')}</tr>`).join('')}</tbody></table>`;
}

function params(query) {
  return Object.fromEntries(new URLSearchParams(query || ''));
}

// ---------------------------------------------------------------------------------------------------------------

async function mapPage(query) {
  const q = params(query);
  const metric = q.metric === 'rewards' ? 'rewards' : 'active';
  // Hexes at resolution 8 (about 0.7 km²) by default, or 5 (about 250 km²) for a country: the two resolutions the
  // epoch's hex summary holds (docs/explorer.md).
  const resolution = MAP_RESOLUTIONS.includes(q.resolution) ? q.resolution : String(MAP_RESOLUTION);
  const search = new URLSearchParams({ resolution });
  if (q.epoch) search.set('epoch', q.epoch);
  const [data, { drawMap }] = await Promise.all([api(`/network/hexes?${search}`), import('./map.js')]);
  const here = (changes) => {
    const next = new URLSearchParams({ metric, resolution, ...(data.epoch !== null ? { epoch: data.epoch } : {}), ...changes });
    return `#/map?${next}`;
  };
  const epochText = data.epoch === null ? 'no epoch closed yet' : `epoch <a href="${link.epoch(data.epoch)}">${data.epoch}</a>`;
  app.innerHTML = `
    <section class="map-page">
      <div class="toolbar">
        <h1>Network map</h1>
        <span data-field="hex-count" data-count="${data.hexes.length}" data-resolution="${data.resolution ?? ''}">${data.hexes.length} ${data.hexes.length === 1 ? 'hex' : 'hexes'}</span>,
        <span data-field="active-devices">${data.activeDevices} active devices</span> (credited with verified work) in ${epochText}.
        <span class="switch">Colour by
          <a href="${here({ metric: 'active' })}" class="${metric === 'active' ? 'on' : ''}">active devices</a> |
          <a href="${here({ metric: 'rewards' })}" class="${metric === 'rewards' ? 'on' : ''}">rewards</a></span>
        <span class="switch">Hexes
          ${MAP_RESOLUTIONS.map((r) => `<a href="${here({ resolution: r })}" class="${resolution === r ? 'on' : ''}">r${r}</a>`).join(' | ')}</span>
      </div>
      ${data.hexes.length === 0 ? `<p class="notice" data-field="empty-network">${data.epoch === null ? 'No epoch closed yet' : 'No located device was credited in this epoch'}: the map is empty.</p>` : ''}
      <div class="map-layout"><div id="map"></div><aside id="hex-panel"><p class="muted">Click a hex to list its devices.</p></aside></div>
    </section>`;
  const { tileUrl, tileAttribution } = getConfig();
  currentMap = await drawMap(document.getElementById('map'), {
    hexes: data.hexes, metric, tileUrl, tileAttribution,
    onHexClick: (h) => showHex(h.cell, data.epoch),
  });
  if (q.cell) showHex(q.cell, data.epoch);
}

async function showHex(cell, epoch) {
  const panel = document.getElementById('hex-panel');
  panel.innerHTML = '<p class="muted">Loading…</p>';
  try {
    const epochQuery = epoch !== null && epoch !== undefined ? `?epoch=${epoch}` : '';
    const hex = await api(`/network/hexes/${encodeURIComponent(cell)}${epochQuery}`);
    panel.innerHTML = `<h2>Hex ${esc(cell)}</h2>`
      + table(['Device', 'Status', 'Owner', 'Units', `Reward${hex.epoch !== null ? ` (epoch ${hex.epoch})` : ''}`],
        hex.devices.map((d) => [`<a href="${link.device(d.deviceId)}">${esc(d.deviceId)}</a>`, esc(d.status),
          `<a href="${link.owner(d.owner)}">${esc(short(d.owner))}</a>`, esc(d.units), esc(fly(d.reward))]),
        'No device in this hex was credited in this epoch.')
      + (hex.moreDevices ? `<p class="muted">and ${esc(hex.moreDevices)} more (the summary lists ${esc(hex.devices.length)} per hex).</p>` : '');
  } catch (e) {
    panel.innerHTML = errorBox(e);
  }
}

// ---------------------------------------------------------------------------------------------------------------

async function devicePage(id) {
  const d = await api(`/network/devices/${encodeURIComponent(id)}`);
  const loc = d.location;
  app.innerHTML = `
    <h1>Device <code>${esc(d.deviceId)}</code></h1>
    ${kv([
      ['Status', `<span class="status ${esc(d.status)}" data-field="status">${esc(d.status)}</span>${d.statusReason ? ` (${esc(d.statusReason)})` : ''}`],
      ['Owner', `<a href="${link.owner(d.owner)}" data-field="owner">${esc(d.owner)}</a>`],
      ['Location', loc.h3Cell ? `<a href="${link.hex(loc.h3Cell)}">${esc(loc.h3Cell)}</a>${loc.assertedAt ? `, asserted ${esc(loc.assertedAt)}` : ', registered'}`
        + (loc.antennaGainDeciDbi !== null ? `, antenna ${loc.antennaGainDeciDbi / 10} dBi` : '') + (loc.elevationMeters !== null ? `, ${loc.elevationMeters} m` : '') : 'not asserted'],
      ['Maker', esc(d.maker)],
      ['Registered', esc(d.registeredAt)],
      ['Accepted proofs (lifetime)', esc(d.acceptedLifetime)],
      ['Lifetime earned', wei('lifetime-earned', d.lifetimeEarned)],
    ])}
    <h2>Rewards per epoch</h2>
    ${table(['Epoch', 'Units', 'Reward', 'Evidence'], d.epochs.map((e) => [
      `<a href="${link.epoch(e.epoch)}">${e.epoch}</a>`, esc(Object.entries(e.units).map(([p, u]) => `${p}: ${u}`).join(', ')),
      esc(fly(e.reward)), `<a href="${link.reward(e.epoch, d.deviceId)}">reward → proofs</a>`]), 'No closed epoch credited this device yet.')}
    ${d.openEpochs.length ? `<p class="muted">Not yet closed: ${d.openEpochs.map((e) => `epoch ${e.epoch} (${esc(Object.entries(e.units).map(([p, u]) => `${p}: ${u}`).join(', '))})`).join('; ')}</p>` : ''}
    <h2>Recent proofs</h2>
    <div data-field="proofs">${proofsTable(d.proofs)}</div>
    <p class="muted">${esc(d.olderProofs)}</p>
    <h2>Location history</h2>
    ${table(['#', 'At', 'Cell', 'Gain (dBi×10)', 'Elevation (m)'], d.locationHistory.map((h) => [h.number, esc(h.at), esc(h.h3Cell), esc(h.antennaGainDeciDbi), esc(h.elevationMeters)]), 'Never asserted: the registered location stands.')}
    <h2>Owner history</h2>
    ${table(['#', 'At', 'Owner', 'Previous owner'], d.ownerHistory.map((h) => [h.number, esc(h.at), esc(h.owner), esc(h.previousOwner || '')]))}
    ${d.statusHistory.length ? `<h2>Status history</h2>${table(['#', 'At', 'From', 'To', 'Reason'], d.statusHistory.map((h) => [h.number, esc(h.at), esc(h.from), esc(h.to), esc(h.reason)]))}` : ''}`;
}

function proofsTable(proofs) {
  return table(['Received', 'Seq', 'Epoch', 'Verdict', 'Reason', 'Detail / evidence'], proofs.map((p) => [
    esc(p.receivedAt), esc(p.sequence), esc(p.epoch),
    `<span class="verdict ${esc(p.outcome)}" data-verdict="${esc(p.outcome)}" data-delivery="${esc(p.deliveryId)}">${esc(p.outcome)}</span>`,
    esc(p.reason || ''),
    esc(p.detail || '') + (p.evidence && Object.keys(p.evidence).length
      ? `<div class="evidence">${Object.entries(p.evidence).map(([k, v]) => `${esc(k)}=${esc(v)}`).join(' · ')}</div>` : ''),
  ]), 'No proofs in the ledger for this device.');
}

// ---------------------------------------------------------------------------------------------------------------

/** @param claimed the claim this page just sent ({ txHash, sender, balance }), shown above the refreshed figures */
async function ownerPage(address, claimed = null) {
  const o = await api(`/network/owners/${encodeURIComponent(address)}`);
  const c = o.claim;
  app.innerHTML = `
    <h1>Owner <code>${esc(o.owner)}</code></h1>
    ${kv([
      ['Lifetime earned', `${wei('lifetime-earned', o.lifetimeEarned)}${o.lifetimeEarnedThroughEpoch !== null ? ` through epoch <a href="${link.epoch(o.lifetimeEarnedThroughEpoch)}">${o.lifetimeEarnedThroughEpoch}</a>` : ''}`],
      ['Claimed (from the chain)', wei('claimed', o.claimed)],
      ['Claimable now', wei('claimable', o.claimable)],
      ['Token balance', wei('balance', o.tokenBalance)],
    ])}
    <div class="claim-box">
      ${c ? `<p>Claimable under the active root of epoch <a href="${link.epoch(c.epoch)}">${c.epoch}</a>
          (root <code>${esc(short(c.root))}</code>, cumulative ${esc(fly(c.cumulativeAmount))}).</p>
        <button id="claim" ${o.claimable === '0' || c.paused ? 'disabled' : ''}>Claim ${esc(fly(o.claimable))}</button>`
        : `<p class="muted">${esc(o.claimNote || 'Nothing to claim yet.')}</p>`}
      <div id="claim-result" aria-live="polite" data-refreshed="${claimed ? 'true' : 'false'}">${claimed ? claimedNotice(claimed) : ''}</div>
    </div>
    <h2>Devices</h2>
    ${table(['Device', 'Status', 'Hex', c ? `Evidence (epoch ${c.epoch})` : 'Evidence'], o.devices.map((d) => [
      `<a href="${link.device(d.deviceId)}">${esc(d.deviceId)}</a>`, esc(d.status),
      d.h3Cell ? `<a href="${link.hex(d.h3Cell)}">${esc(d.h3Cell)}</a>` : '–',
      c ? `<a href="${link.reward(c.epoch, d.deviceId)}">reward → accepted proofs</a>` : '–']), 'No devices registered to this owner now.')}
    ${c ? `<h2>Chain of evidence</h2>
      <ol class="evidence-chain">
        <li>Claim: <code>claim(${esc(short(o.owner))}, ${esc(c.cumulativeAmount)}, proof[${c.proof.length}])</code> on distributor <code>${esc(o.distributor)}</code></li>
        <li>Root: <a href="${link.epoch(c.epoch)}">epoch ${c.epoch} root ${esc(short(c.root))}</a> (published on chain, checked on the epoch page)</li>
        <li>Manifest: <a href="${apiUrl(`/network/epochs/${c.epoch}/manifest`)}" target="_blank" rel="noopener">epoch ${c.epoch} manifest</a> (its SHA-256 is on chain)</li>
        <li>Device rewards and the accepted proofs behind them: the Evidence links above</li>
      </ol>` : ''}`;
  const button = document.getElementById('claim');
  if (button) {
    button.addEventListener('click', async () => {
      const out = document.getElementById('claim-result');
      button.disabled = true;
      out.innerHTML = '<p class="muted">Waiting for the wallet…</p>';
      let wallet;
      let r;
      try {
        wallet = await import('./wallet.js');
        const refresh = async () => (await api(`/network/owners/${encodeURIComponent(o.owner)}`)).claim;
        r = await wallet.claimFromBrowser({ distributor: o.distributor, chainId: o.chainId, owner: o.owner, claim: c, refresh });
      } catch (e) {
        button.disabled = false;
        const reason = wallet ? wallet.explainRevert(e) : `The wallet code could not be loaded (${e.message}).`;
        out.innerHTML = `<div class="error" role="alert"><strong>The claim did not go through.</strong><p>${esc(reason)}</p></div>`;
        return;
      }
      // The summary rows (claimed, claimable, balance) are the API's figures from before the claim: read them again.
      out.innerHTML = claimedNotice(r) + '<p class="muted">Refreshing the figures…</p>';
      try {
        await ownerPage(o.owner, r);
      } catch (e) {
        out.innerHTML = claimedNotice(r) + errorBox(e);
      }
    });
  }
}

function claimedNotice(r) {
  return `<p class="ok">Claimed in transaction <code data-field="claim-tx">${esc(r.txHash)}</code> (sent by ${esc(short(r.sender))}).
    New balance: ${wei('new-balance', r.balance)}.</p>`;
}

// ---------------------------------------------------------------------------------------------------------------

async function epochPage(which) {
  let n = which;
  if (which === 'latest') {
    summary = summary || (await api('/network/summary'));
    n = summary.lastClosed ?? summary.currentEpoch;
  }
  const e = await api(`/network/epochs/${encodeURIComponent(n)}`);
  const nav = `<p class="pager">${e.epoch > (summary?.firstEpoch ?? 0) ? `<a href="${link.epoch(e.epoch - 1)}">← epoch ${e.epoch - 1}</a>` : ''}
    <a href="${link.epoch(e.epoch + 1)}">epoch ${e.epoch + 1} →</a></p>`;
  if (e.status === 'open') {
    app.innerHTML = `<h1>Epoch ${e.epoch}</h1>${nav}${kv([['Status', `<span data-field="epoch-status">open</span>`], ['From', esc(e.start)], ['To', esc(e.end)]])}
      <p class="muted">This epoch is not closed: no split, manifest or root yet.</p>`;
    return;
  }
  const chain = e.onChain || {};
  const match = chain.rootMatches
    ? `<span class="ok" data-field="root-match">matches</span> (${esc(chain.event)} in block ${esc(chain.blockNumber)}, manifest hash ${chain.manifestHashMatches ? 'matches' : '<strong>differs</strong>'}; root ${esc(chain.state)} on the distributor)`
    : `<span class="bad" data-field="root-match">${e.rootTx ? 'does not match' : 'not published yet'}</span>`;
  app.innerHTML = `
    <h1>Epoch ${e.epoch}</h1>${nav}
    ${kv([
      ['Status', `<span data-field="epoch-status">${esc(e.status)}</span>`],
      ['Window', `${esc(e.start)} → ${esc(e.end)}`],
      ['Emission', wei('emission', e.emission)],
      ['Allocated', wei('allocated', e.allocated)],
      ['Unallocated', `${wei('unallocated', e.unallocated)}${e.unallocatedByReason ? ` <span class="muted">${esc(Object.entries(e.unallocatedByReason).map(([k, v]) => `${k}: ${fly(v)}`).join(', '))}</span>` : ''}`],
      ['Units', esc(e.totalUnits)],
      ['Rewarded devices / owners', `${esc(e.rewardedDevices)} / ${esc(e.owners)}`],
      ['Rules version', esc(e.configVersion || '')],
      ['Manifest', `<a href="${apiUrl(e.manifestPath)}" target="_blank" rel="noopener">manifest of epoch ${e.epoch}</a>, SHA-256 <code>${esc(e.manifestHash)}</code>`],
      ['Root', `<code data-field="root">${esc(e.root)}</code>`],
      ['Root transaction', e.rootTx ? `<code>${esc(e.rootTx)}</code>` : 'not yet'],
      ['On-chain root', match],
      ['Recompute', `<code>${esc(e.recompute.command)}</code> (see ${esc(e.recompute.docs)})`],
    ])}
    <h2>Pools</h2>
    ${table(['Pool', 'Emission', 'Units', 'Allocated', 'Unallocated'], (e.pools || []).map((p) => [esc(p.name), esc(fly(p.emission)), esc(p.units), esc(fly(p.allocated)),
      esc(Object.entries(p.unallocated || {}).map(([k, v]) => `${k}: ${fly(v)}`).join(', ') || '–')]))}
    ${(e.cuts || []).length ? `<h2>Cuts</h2>${table(['Name', 'Account', 'Amount'], e.cuts.map((c) => [esc(c.name), esc(c.account), esc(fly(c.amount))]))}` : ''}`;
}

async function rewardPage(n, id) {
  const r = await api(`/network/epochs/${encodeURIComponent(n)}/devices/${encodeURIComponent(id)}`);
  app.innerHTML = `
    <h1>Reward of <a href="${link.device(r.deviceId)}"><code>${esc(r.deviceId)}</code></a> in <a href="${link.epoch(r.epoch)}">epoch ${r.epoch}</a></h1>
    <ol class="evidence-chain">
      <li>Root <a href="${link.epoch(r.epoch)}"><code>${esc(short(r.root))}</code></a>${r.rootTx ? `, published in <code>${esc(short(r.rootTx))}</code>` : ', not yet published'}</li>
      <li>Manifest <a href="${apiUrl(`/network/epochs/${r.epoch}/manifest`)}" target="_blank" rel="noopener">epoch ${r.epoch}</a>, SHA-256 <code>${esc(short(r.manifestHash))}</code>;
        this device's entry: <code data-field="allocation">${esc(r.allocation ? JSON.stringify(r.allocation) : 'none')}</code></li>
      <li>Device reward: ${wei('reward', r.reward)} for ${esc(r.units)} units (${esc(Object.entries(r.work).map(([p, u]) => `${p}: ${u}`).join(', ') || 'no work')}), paid to <a href="${link.owner(r.owner || '')}">${esc(r.owner || '–')}</a></li>
      <li>Accepted proofs behind it: <button type="button" data-action="paper-trail">Accepted proofs from the paper trail</button>
        <div data-field="paper-trail" aria-live="polite"></div></li>
    </ol>
    <h2>Still in the replay guard (${r.acceptedProofs.length})</h2>
    <div data-field="accepted-proofs">${proofsTable(r.acceptedProofs)}</div>
    <details class="muted">
      <summary>For auditors: the same question in SQL</summary>
      <p>${esc(r.olderProofs)}. The paper-trail link runs this Athena query (database <code>&lt;stack&gt;_paper_trail</code>):</p>
      <pre data-field="paper-trail-query">${esc(r.paperTrailQuery)}</pre>
    </details>`;
  const button = app.querySelector('[data-action="paper-trail"]');
  const out = app.querySelector('[data-field="paper-trail"]');
  button.addEventListener('click', async () => {
    button.disabled = true;
    out.dataset.state = 'loading';
    out.innerHTML = '<p class="muted">Reading the paper trail…</p>';
    try {
      const t = await api(r.proofsPath);
      out.innerHTML = paperTrailTable(t, r.units);
      out.dataset.state = 'done';
    } catch (e) {
      out.innerHTML = paperTrailError(e);
      out.dataset.state = 'error';
    }
    button.disabled = false;
  });
}

/** The accepted proofs the paper trail holds for the reward, with their units against the reward's. */
function paperTrailTable(t, rewardedUnits) {
  const matches = Number(t.units) === Number(rewardedUnits);
  return `<p><span data-field="paper-trail-count">${esc(t.count)}</span> accepted proofs,
      <span data-field="paper-trail-units">${esc(t.units)}</span> units
      ${matches ? '(the reward\'s units)' : `<strong>(the reward counts ${esc(rewardedUnits)})</strong>`},
      from the paper trail (days ${esc(t.days)})${t.truncated ? `; the first ${esc(t.cap)} only` : ''}.</p>`
    + table(['Received', 'Seq', 'Type', 'Units', 'Proof id', 'Delivery'], t.proofs.map((p) => [
      esc(p.receivedAt), esc(p.sequence), esc(p.proofType), esc(p.units), `<code>${esc(short(p.proofId))}</code>`,
      `<code data-trail-delivery="${esc(p.deliveryId)}">${esc(p.deliveryId)}</code>`,
    ]), 'The paper trail holds no accepted proof of this device in this epoch.');
}

function paperTrailError(e) {
  if (e instanceof ApiError && e.status === 503 && e.code === 'paper_trail_query_running') {
    return `<div class="error" role="alert"><strong>The paper-trail query is still running: retry in a few seconds.</strong>
      <p>${esc(e.message)}</p></div>`;
  }
  if (e instanceof ApiError && e.status === 502) {
    return `<div class="error" role="alert"><strong>The paper-trail query failed.</strong><p>${esc(e.message)}</p></div>`;
  }
  return errorBox(e);
}

// ---------------------------------------------------------------------------------------------------------------

async function route() {
  if (currentMap) {
    currentMap.remove();
    currentMap = null;
  }
  const hash = window.location.hash.replace(/^#/, '') || '/map';
  const [path, query] = hash.split('?');
  const parts = path.split('/').filter(Boolean).map(decodeURIComponent);
  app.innerHTML = '<p class="muted">Loading…</p>';
  document.body.dataset.page = parts[0] || 'map';
  document.body.dataset.ready = 'false';
  try {
    if (parts[0] === 'map' || parts.length === 0) await mapPage(query);
    else if (parts[0] === 'device' && parts[1]) await devicePage(parts[1]);
    else if (parts[0] === 'owner' && parts[1]) await ownerPage(parts[1]);
    else if (parts[0] === 'epoch' && parts[1] && parts[2] === 'device' && parts[3]) await rewardPage(parts[1], parts[3]);
    else if (parts[0] === 'epoch' && parts[1]) await epochPage(parts[1]);
    else app.innerHTML = errorBox(new Error(`There is no page at #${hash}.`));
  } catch (e) {
    if (!(e instanceof ApiError)) console.error(e); // a bug in the page, not an answer of the API
    app.innerHTML = errorBox(e);
  }
  document.body.dataset.ready = 'true';
}

document.getElementById('search').addEventListener('submit', (ev) => {
  ev.preventDefault();
  const v = document.getElementById('search-input').value.trim();
  if (/^0x[0-9a-fA-F]{40}$/.test(v)) window.location.hash = link.owner(v);
  else if (/^-?\d+$/.test(v)) window.location.hash = link.epoch(v);
  else if (v) window.location.hash = link.device(v);
});

(async () => {
  const config = await loadConfig();
  if (config.devnetWallet) {
    try {
      summary = await api('/network/summary');
      installTestWallet(config.devnetWallet, summary.chainId);
    } catch {
      // the page itself will show why the API is unreachable
    }
  }
  window.addEventListener('hashchange', route);
  route();
})();
