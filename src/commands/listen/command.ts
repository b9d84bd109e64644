import type { Command } from '@commander-js/extra-typings';
import { collect, examples, intArg, SECRET_FILE_OPTION, type DefineInput, type OptionsOf } from '../options/flags.js';

function listenCommand(program: Command) {
  return program
    .command('listen')
    .description('receive deliveries (through a tunnel), verify, log durably and forward them unchanged to your app')
    .option('-f, --forward-to <url>', 'your app’s webhook URL (default: config forwardTo)')
    .option('-p, --provider <name>', 'provider profile (default: config provider)')
    .option('-s, --secret <secret>', "webhook secret to verify with (default: the provider's env var; registration sets it; - reads one line from stdin)")
    .option(...SECRET_FILE_OPTION)
    .option('--port <n>', 'receiver port on 127.0.0.1 (default: a free one)', intArg('--port'))
    .option('--events <list>', 'only forward these event types (comma-separated, * wildcards)')
    .option('--route <pattern=url>', "send matching events elsewhere, e.g. 'transfer.*=http://localhost:4000/t' (repeatable)", collect)
    .option('--tunnel <kind>', 'ngrok | cloudflared | ssh://[user@]host[:port] | none | loopback (default: ngrok when NGROK_AUTHTOKEN is set, else none)')
    .option('--public-url <url>', 'the public URL of a tunnel you run yourself (a reverse proxy); with --tunnel ssh://, the URL in front of that server; Square, HubSpot and Twilio sign and are verified with it')
    .option('--domain <name>', 'with --tunnel ngrok: your static domain (one is free in the ngrok dashboard), for a URL that stays the same')
    .option('--remote-port <n>', 'with --tunnel ssh://: the port the server listens on (default: one the server picks)', intArg('--remote-port'))
    .option('--ssh-key <file>', 'with --tunnel ssh://: the private key (default: the SSH agent, ~/.ssh/id_ed25519, ~/.ssh/id_rsa)')
    .option('--ssh-accept-new-host-key', 'with --tunnel ssh://: add an unknown server key to ~/.ssh/known_hosts on first use (a changed key is still refused)')
    .option('--no-register', 'do not register the URL with the provider’s API')
    .option('--api-base <url>', 'registration API base (default: $PAYKORE_API_BASE, config, the provider’s)')
    .option('--timeout <ms>', "forward timeout (default: the provider's)", intArg('--timeout', 1))
    .option('--max-body <bytes>', 'answer 413 to bodies over this size (default 1 MiB)', intArg('--max-body', 1))
    .option('--max-in-flight <bytes>', 'bodies held in memory at once across requests; over it new ones get 503 + Retry-After (default 32 MiB)', intArg('--max-in-flight', 1))
    .option('--max-connections <n>', 'open connections at once; over it new ones get 503 (default 256)', intArg('--max-connections', 1))
    .option('--verified-only', 'forward only deliveries whose signature verified; answer others 401 (logged)')
    .option('--any-method', 'forward any HTTP method (default: only POST; others are answered 405 and logged)')
    .option('--store <dir>', 'delivery log folder (default: $WEBHOOK_STORE, config store, the state dir)')
    .option('--print-secret', 'show the registered webhook secret (hidden by default)')
    .option('--self-check-interval <ms>', 'send a signed self-check through the public URL this often; 0 turns it off', intArg('--self-check-interval'), 60_000)
    .option('--keep-endpoint', 'keep the registered endpoint and its secret between sessions (stored in the store, mode 0600), so your app’s secret is set once; best with a URL that stays the same (--public-url, --domain, ssh)')
    .option('--catch-up', 'keep the endpoint between sessions (its secret is kept in the store, mode 0600) and have the provider retry what failed while listen was down')
    .option('--give-up-after <ms>', 'exit 1 when the public path stays broken this long', intArg('--give-up-after', 1), 180_000)
    .option('--json', 'NDJSON: {"type":"ready",...} then one {"type":"delivery",...} per delivery')
    .addHelpText(
      'after',
      [
        '',
        'Tunnels (--tunnel): what each needs, and whether its URL stays the same between sessions',
        '  ngrok             an ngrok account (NGROK_AUTHTOKEN); URL changes, stable with --domain',
        '  cloudflared       no account; the cloudflared program on PATH; URL changes',
        '  ssh://host        no account with ssh://nokey@localhost.run (URL changes); a server of your own:',
        '                    your SSH key, stable URL (--public-url, or --remote-port for http://host:port)',
        '  --public-url URL  a tunnel or reverse proxy you run; stable if yours is',
        '  none              local only (the default without NGROK_AUTHTOKEN)',
        '  loopback          a local relay, for tests and demos',
        'With --keep-endpoint the PayKore endpoint and its secret are kept between sessions (best with a stable URL).',
      ].join('\n'),
    )
    .addHelpText(
      'after',
      examples([
        'webhook listen --forward-to http://localhost:3000/webhooks --provider paystack',
        'webhook listen -p paystack --secret-file paystack.key -f http://localhost:3000/hooks   # the secret stays out of ps',
        'NGROK_AUTHTOKEN=... PAYKORE_API_KEY=sk_test_... webhook listen -p paykore -f http://localhost:3000/hooks',
        'webhook listen -p paykore --api-base http://127.0.0.1:4010 -f http://localhost:3000/hooks   # against webhook sandbox',
        'webhook listen -p koard --public-url https://hooks.example.dev --json',
        'webhook listen -p paystack --tunnel cloudflared -f http://localhost:3000/hooks',
        'webhook listen -p paykore --tunnel ssh://me@tunnel.example.dev --public-url https://hooks.example.dev -f http://localhost:3000/hooks',
      ]),
    );
}

/** What `webhook listen` parses its flags into (run.ts takes it as a type only). */
export type ListenCommandOptions = OptionsOf<typeof listenCommand>;

export function defineListen(program: Command, { context, run }: DefineInput): void {
  listenCommand(program)
    .action((opts) => run(async () => (await import('./run.js')).runListen(opts, context())));
}
