import { chromium, type Browser } from 'playwright-core';

/**
 * Debian's chromium, headless, as CI runs it: no browser download, and none of the background
 * connections that this offline machine refuses.
 */
export function launchChromium(): Promise<Browser> {
  return chromium.launch({
    executablePath: '/usr/bin/chromium',
    args: [
      '--headless',
      '--no-sandbox',
      '--disable-gpu',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
      '--no-first-run',
    ],
  });
}
