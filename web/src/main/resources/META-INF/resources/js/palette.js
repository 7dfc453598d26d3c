// Colours of the risk levels and the hotspot classes, chosen to stay apart for the colour-blind:
// risk runs blue -> yellow -> orange -> dark red (ColorBrewer RdYlBu ends, not the red-green RdYlGn),
// hotspots are ColorBrewer RdBu. PaletteColourBlindTest checks each palette under a deuteranopia
// simulation (Machado et al. 2009). One entry per line: the test reads this file.
(function () {
  'use strict';
  window.SafeGridPalette = {
    risk: { low: '#4575b4', elevated: '#fee090', high: '#f46d43', critical: '#a50026' },
    hotspot: { 'hot-99': '#b2182b', 'hot-95': '#ef8a62', 'hot-90': '#fddbc7', 'cold-99': '#2166ac', 'cold-95': '#67a9cf', 'cold-90': '#d1e5f0' }
  };
})();
