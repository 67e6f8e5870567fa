import { formatUnits } from 'ethers';

/** Token amounts arrive as decimal strings of 18-decimal units (wei); shown as FLY with 4 decimals. */
export function fly(wei) {
  if (wei === null || wei === undefined) return '–';
  const s = formatUnits(BigInt(wei), 18);
  const [whole, frac = ''] = s.split('.');
  const grouped = whole.replace(/\B(?=(\d{3})+(?!\d))/g, ',');
  const f = frac.padEnd(4, '0').slice(0, 4);
  return `${grouped}.${f} FLY`;
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
  hex: (cell, epoch) => `#/map?resolution=device&cell=${cell}${epoch !== null && epoch !== undefined ? `&epoch=${epoch}` : ''}`,
};
