// Not a test: the browser tests' setup, kept running, to look at the portal
// by hand. usage: node tests/browser/serve.mjs REKAPD_BUILD_DIR [--same-origin]
// Prints the portal's URL and rekapd's ports; stops on Ctrl-C (or SIGTERM).
// KEEP_TMP=1 keeps the scratch directory (the election, its keys, the site).
import { args, setup, note } from './lib.mjs';

const a = args();
const env = await setup(a);
note('portal:  ' + env.siteUrl);
note('public:  ' + env.pub + '   ingest: ' + env.ing);
note('vkey:    ' + env.vkey);
note('held-back forms (send with SIGUSR2): ' + env.later.length);
process.on('SIGUSR2', async () => note('sent: ' + JSON.stringify(await env.sendLater())));
// Ctrl-C or SIGTERM: rekapd and the scratch directory go (lib.mjs)
setInterval(() => {}, 1 << 30);
