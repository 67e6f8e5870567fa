// The network map: offline world outlines (world-atlas, Natural Earth 1:110m) as the default basemap, optional
// tiles when config.json names a tile URL (production), and one H3 hexagon per cell coloured by active devices
// or by rewards in the epoch, with a legend.
import L from 'leaflet';
import 'leaflet/dist/leaflet.css';
import { cellToBoundary } from 'h3-js';
import { fly, esc } from './format.js';

const PALETTE = ['#fde0c5', '#facba6', '#f8b58b', '#f59e72', '#f2855d', '#ef6a4c', '#eb4a40'];

function scale(values) {
  const max = values.reduce((m, v) => (v > m ? v : m), 0n);
  return (v) => {
    if (max === 0n || v === 0n) return '#d9d9d9';
    const i = Number((v * BigInt(PALETTE.length - 1)) / max);
    return PALETTE[i];
  };
}

export async function drawMap(element, { hexes, metric, tileUrl, tileAttribution, onHexClick }) {
  const map = L.map(element, { worldCopyJump: true, zoomSnap: 0.25, attributionControl: Boolean(tileUrl) });
  // A view first: Leaflet cannot place vector layers on a map that has none.
  map.setView([20, 0], 1.5);
  if (tileUrl) {
    L.tileLayer(tileUrl, { attribution: tileAttribution || '' }).addTo(map);
  } else {
    // The outlines are loaded only when no tile URL is configured (the devnet); production serves tiles instead.
    const [{ feature }, { default: countries }] = await Promise.all([import('topojson-client'), import('world-atlas/countries-110m.json')]);
    L.geoJSON(feature(countries, countries.objects.countries), {
      style: { color: '#8aa1b1', weight: 0.6, fillColor: '#eef3f6', fillOpacity: 1, className: 'land' },
      interactive: false,
    }).addTo(map);
  }
  const value = (h) => (metric === 'rewards' ? BigInt(h.rewards) : BigInt(h.activeDevices));
  const colour = scale(hexes.map(value));
  const layers = [];
  for (const h of hexes) {
    const polygon = L.polygon(cellToBoundary(h.cell), {
      color: '#5b3a29', weight: 1, fillColor: colour(value(h)), fillOpacity: 0.8, className: 'hex',
    });
    polygon.bindTooltip(`${esc(h.cell)}<br>${h.activeDevices} active devices, ${esc(h.units)} units<br>${esc(fly(h.rewards))}`);
    polygon.on('click', () => onHexClick(h));
    polygon.addTo(map);
    polygon.getElement()?.setAttribute('data-cell', h.cell);
    layers.push(polygon);
  }
  if (layers.length > 0) {
    map.fitBounds(L.featureGroup(layers).getBounds(), { padding: [40, 40], maxZoom: 13 });
  }
  const legend = L.control({ position: 'bottomright' });
  legend.onAdd = () => {
    const div = L.DomUtil.create('div', 'legend');
    const max = hexes.map(value).reduce((m, v) => (v > m ? v : m), 0n);
    const label = metric === 'rewards' ? 'Rewards in the epoch' : 'Active devices';
    const fmt = (v) => (metric === 'rewards' ? fly(v.toString()) : v.toString());
    div.innerHTML = `<strong>${label}</strong><div class="ramp">${PALETTE.map((c) => `<i style="background:${c}"></i>`).join('')}</div>`
      + `<div class="ends"><span>${fmt(0n)}</span><span>${fmt(max)}</span></div>`
      + `<div><i class="none"></i> none</div>`;
    return div;
  };
  legend.addTo(map);
  return map;
}
