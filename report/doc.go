// Package report draws small charts (grouped bars, stacked bars, lines) as self-contained SVG
// strings rendered on the server. They are hand-written rather than produced by a charting
// library because the pages that show them must work without JavaScript and without any CDN or
// other external resource (helpline staff may be on locked-down or monitored networks), must
// mirror correctly for right-to-left languages such as Arabic, and must always use a zero-based
// value axis so that bar lengths stay honest. Colours are set with fill/stroke attributes, not a
// stylesheet, so the charts also print as they appear on screen, and the Okabe–Ito palette keeps
// series distinguishable for colour-blind readers. Every string from the caller is XML-escaped,
// so labels taken from case data cannot inject markup into the page.
package report
