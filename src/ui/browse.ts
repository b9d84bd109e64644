import type { CliContext } from '../context.js';
import { resendDelivery } from '../delivery/resend.js';
import { getProvider, providerRegistry } from '../providers/index.js';
import type { DeliveryLog } from '../store/delivery-log.js';
import { startDeliveryView } from './index.js';

/** `webhook log --interactive`: browse the recorded deliveries; r resends one to where it went. */
export async function browseLog(log: DeliveryLog, ctx: CliContext): Promise<void> {
  const { config } = await ctx.config();
  const registry = providerRegistry(config);
  const view = startDeliveryView({
    feed: log,
    status: { title: 'webhook log', provider: log.file },
    actions: {
      async replay(id) {
        const original = await log.load(id);
        if (!original?.outcome) return `${id} was never forwarded: nothing to resend to`;
        const { outcome } = await resendDelivery({ log, original, url: new URL(original.outcome.target), profile: getProvider(registry, original.request.provider), clock: ctx.clock });
        return `resent ${id} → ${outcome.status ?? outcome.error?.message ?? outcome.answered}`;
      },
      quit: () => view.unmount(),
    },
    stdin: ctx.streams.stdin as NodeJS.ReadStream,
    stdout: ctx.streams.stdout as NodeJS.WriteStream,
    color: ctx.mode.color,
  });
  const stop = () => view.unmount();
  ctx.signal.addEventListener('abort', stop, { once: true });
  await view.waitUntilExit();
  ctx.signal.removeEventListener('abort', stop);
}
