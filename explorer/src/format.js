const UNIT = 10n ** 18n;

/**
 * Token amounts arrive as decimal strings of 18-decimal units (wei); shown as FLY with 4 decimals, truncated.
 * BigInt arithmetic rather than ethers' formatUnits: every page shows amounts, and ethers is loaded only to claim.
 */
export function fly(wei) {
  if (wei === null || wei === undefined) return '–';
  const v = BigInt(wei);
  const abs = v < 0n ? -v : v;
  const grouped = (abs / UNIT).toString().replace(/\B(?=(\d{3})+(?!\d))/g, ',');
  const f = (abs % UNIT).toString().padStart(18, '0').slice(0, 4);
  return `${v < 0n ? '-' : ''}${grouped}.${f} FLY`;
}

export function esc(value) {
  return String(value ?? '').replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c]);
}

export function short(hex, keep = 10) {
  if (!hex) return '–';
  return hex.length > keep * 2 ? `${hex.slice(0, keep)}…${hex.slice(-6)}` : hex;
}

export const link = {
  device: (id) => `#/device/${encodeURIComponent(id)}`,
  owner: (a) => `#/owner/${a}`,
  epoch: (n) => `#/epoch/${n}`,
  reward: (n, id) => `#/epoch/${n}/device/${encodeURIComponent(id)}`,
  hex: (cell, epoch) => `#/map?resolution=8&cell=${cell}${epoch !== null && epoch !== undefined ? `&epoch=${epoch}` : ''}`,
};
