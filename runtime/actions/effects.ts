/**
 * The effects the executor asks of the script tag, run in the actions chunk: a Webhook or App step builds its
 * request and hands it to the outbox, a Code step gets its context and runs its handler. The script tag only
 * forwards to these once the chunk (and, for requests, the outbox chunk) arrived: the executor loads them before
 * it claims the step (`prepare`), and waits for consent first.
 */
import type { CompiledBundle, CompiledNode } from '../../src/compile/types.js';
import type { Outbox } from '../outbox.js';
import type { Cursor, PublicEvent, PublicEventName, Store } from '../types.js';
import { appRequest } from './apps.js';
import { createCode, type CodeContext, type Registry } from './code.js';
import { webhookRequest, type Built } from './webhook.js';

/** What the script tag lends its effects. */
export interface EffectHost {
  bundle: CompiledBundle;
  store: Store;
  delivery(): Promise<{ outbox: Outbox }>;
  emit(name: PublicEventName, fields: Partial<PublicEvent>): void;
  report(e: unknown, workflow?: string): void;
  /** Handlers `workflows.register` kept, before and after this chunk arrived. */
  registry: Registry;
  /** The public calls a Code handler acts through. */
  api: Pick<CodeContext, 'track' | 'identify' | 'segments'>;
}

type Node<K extends CompiledNode['kind']> = Extract<CompiledNode, { kind: K }>;
type Data = Record<string, unknown>;
const workflowOf = (data: Data) => (data.workflow as { id?: string } | undefined)?.id;

// A hand-made bundle may lack its site settings or apps: no host and no app is allowed then.
export const webhook = (h: EffectHost, node: Node<'webhook'>, data: Data, key: string) =>
  send(h, 'webhook', webhookRequest(node, data, h.bundle.site?.webhookHosts ?? [], key), { workflow: workflowOf(data), url: node.url });

export const app = (h: EffectHost, node: Node<'app'>, data: Data, key: string) => {
  const app = h.bundle.apps?.[node.app];
  return send(h, 'app', app ? appRequest(app, node, data, key) : { error: `no app ${node.app}` }, { workflow: workflowOf(data), app: node.app });
};

/** Resolves true once the outbox delivered the request, false when it gave up or the request could not be built. */
async function send(h: EffectHost, kind: 'webhook' | 'app', req: Built, fields: Partial<PublicEvent>) {
  const ok = 'error' in req ? (h.report(req.error, fields.workflow), false) : await (await h.delivery()).outbox.send(req);
  h.emit(`${kind}_${ok ? 'sent' : 'failed'}`, fields);
  return ok;
}

export function code(h: EffectHost, node: Node<'code'>, c: Cursor) {
  const { id, attrs, segments } = h.store.state;
  const { track, identify, segments: s } = h.api;
  return createCode(h.report, h.registry).run(node, {
    visitor: { id, attributes: { ...attrs }, segments: [...segments] },
    workflow: { id: c.wf, step: c.node },
    form: { ...c.form },
    track,
    identify,
    segments: { add: s.add, remove: s.remove },
  });
}
