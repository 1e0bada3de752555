/**
 * How the browser tests and the Lighthouse bench start Debian's chromium headless as root on a
 * machine without a network (no sandbox, no GPU, no background connections).
 */
export const CHROMIUM_ARGS = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
  '--no-first-run',
  '--disable-quic',
];
