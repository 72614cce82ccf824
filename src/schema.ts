/**
 * The JSON Schema of the authoring format, built from the same registries as the types and the validator
 * (node kinds, trigger kinds, operators, blocks), so editors can check files as they are typed. The validator
 * remains the authority: it also checks references, graphs and regexes, which a schema cannot express.
 */
import { OPERATORS } from './conditions/types.js';
import {
  APP_ACTIONS,
  APP_PROVIDERS,
  AUTHORING_FORMAT,
  BLOCK_KINDS,
  COMMERCE_EVENTS,
  PROMOTION_KINDS,
  PROMOTION_POSITIONS,
  TRIGGER_KINDS,
  WEEKDAYS,
} from './model/types.js';

type Schema = Record<string, unknown>;

const ref = (name: string): Schema => ({ $ref: `#/$defs/${name}` });
const str = (extra: Schema = {}): Schema => ({ type: 'string', ...extra });
const num = (extra: Schema = {}): Schema => ({ type: 'number', ...extra });
const bool: Schema = { type: 'boolean' };
const enumOf = (values: readonly string[]): Schema => ({ type: 'string', enum: [...values] });
const obj = (properties: Schema, required: string[] = []): Schema => ({
  type: 'object',
  properties,
  ...(required.length ? { required } : {}),
  additionalProperties: false,
});
const time = str({ pattern: '^([01]\\d|2[0-3]):[0-5]\\d$' });
const id = ref('id');

const TRIGGER_PARAMS: Record<(typeof TRIGGER_KINDS)[number], [Schema, string[]]> = {
  page_view: [{}, []],
  time_on_page: [{ seconds: num({ exclusiveMinimum: 0 }) }, ['seconds']],
  time_on_site: [{ seconds: num({ exclusiveMinimum: 0 }) }, ['seconds']],
  exit_intent: [{ minDwellSeconds: num({ minimum: 0 }), mobile: bool }, []],
  scroll_depth: [{ percent: num({ minimum: 1, maximum: 100 }) }, ['percent']],
  inactivity: [{ seconds: num({ exclusiveMinimum: 0 }) }, ['seconds']],
  click: [{ selector: str() }, ['selector']],
  element_visible: [{ selector: str(), threshold: num({ minimum: 0, maximum: 1 }) }, ['selector']],
  form_submitted: [{ selector: str() }, []],
  event: [{ name: str({ minLength: 1 }) }, ['name']],
  commerce: [{ name: enumOf(COMMERCE_EVENTS) }, ['name']],
  promotion: [{ outcome: enumOf(['seen', 'closed', 'converted']), promotion: id }, ['outcome']],
  segment_entered: [{ segment: id }, ['segment']],
};

const nodeBase = { id, label: str(), ui: ref('ui') };
const node = (kind: string, properties: Schema, required: string[] = []): Schema =>
  obj({ ...nodeBase, kind: { const: kind }, ...properties }, ['id', 'kind', ...required]);

const NODES: Schema[] = [
  node('if', { triggers: { type: 'array', items: ref('trigger') }, conditions: ref('condition'), wait: ref('duration') }),
  node('promotion', { promotion: id }, ['promotion']),
  node('segment', { segment: id, action: enumOf(['add', 'remove']) }, ['segment', 'action']),
  node('enroll', { workflow: id }, ['workflow']),
  node(
    'webhook',
    {
      url: str({ pattern: '^https?://' }),
      method: enumOf(['POST', 'PUT', 'PATCH', 'GET']),
      headers: { type: 'object', additionalProperties: str() },
      body: {},
    },
    ['url'],
  ),
  node(
    'split',
    {
      test: str(),
      holdout: num({ minimum: 0, maximum: 99 }),
      variants: { type: 'array', minItems: 1, items: obj({ id, name: str(), weight: num({ minimum: 0, maximum: 100 }) }, ['id', 'weight']) },
    },
    ['variants'],
  ),
  node('delay', { mode: enumOf(['duration', 'time_of_day', 'next_visit']), duration: ref('duration'), time, timezone: str() }, ['mode']),
  node('connector', { target: id }, ['target']),
  node('code', { handler: str(), code: str(), timeoutMs: num({ minimum: 1, maximum: 60000 }) }),
  node(
    'app',
    { app: id, action: enumOf(APP_ACTIONS), list: str(), event: str(), fields: { type: 'object', additionalProperties: str() } },
    ['app', 'action'],
  ),
  node('exit', {}),
];

const fieldBlock = (kind: string, extra: Schema = {}, required: string[] = []) =>
  obj({ kind: { const: kind }, name: str(), label: str(), placeholder: str(), required: bool, ...extra }, ['kind', ...required]);

const BLOCKS: Record<(typeof BLOCK_KINDS)[number], Schema> = {
  heading: obj({ kind: { const: 'heading' }, text: str(), level: { enum: [1, 2, 3] } }, ['kind', 'text']),
  text: obj({ kind: { const: 'text' }, text: str() }, ['kind', 'text']),
  image: obj({ kind: { const: 'image' }, src: str(), alt: str(), width: num(), height: num() }, ['kind', 'src', 'alt']),
  button: obj(
    { kind: { const: 'button' }, text: str(), action: enumOf(['close', 'next', 'url', 'submit', 'copy_coupon']), url: str(), converts: bool },
    ['kind', 'text', 'action'],
  ),
  email: fieldBlock('email'),
  phone: fieldBlock('phone', { country: str({ pattern: '^[A-Z]{2}$' }) }),
  text_field: fieldBlock('text_field', {}, ['name']),
  checkbox: obj({ kind: { const: 'checkbox' }, name: str(), label: str(), required: bool }, ['kind', 'name', 'label']),
  select: obj(
    {
      kind: { const: 'select' },
      name: str(),
      label: str(),
      required: bool,
      options: { type: 'array', minItems: 1, items: obj({ value: str(), label: str() }, ['value', 'label']) },
    },
    ['kind', 'name', 'options'],
  ),
  consent: obj({ kind: { const: 'consent' }, name: str(), text: str(), channel: enumOf(['email', 'sms']), required: bool }, ['kind', 'text']),
  coupon: obj({ kind: { const: 'coupon' }, code: str(), pool: str() }, ['kind']),
  countdown: obj({ kind: { const: 'countdown' }, until: str(), minutes: num({ exclusiveMinimum: 0 }), expired: enumOf(['hide', 'close']) }, ['kind']),
  close: obj({ kind: { const: 'close' }, label: str() }, ['kind']),
  spacer: obj({ kind: { const: 'spacer' }, size: num({ minimum: 0 }) }, ['kind']),
};

export function authoringSchema(): Schema {
  return {
    $schema: 'https://json-schema.org/draft/2020-12/schema',
    $id: 'https://workflows.dev/schema/authoring-1.json',
    title: 'Workflows authoring document',
    description: 'Workflows, promotions, segments and app connections as designers author them. Checked fully by `workflows validate`.',
    ...obj({
      $schema: str(),
      format: { const: AUTHORING_FORMAT },
      version: { const: 1 },
      workflows: { type: 'array', items: ref('workflow') },
      promotions: { type: 'array', items: ref('promotion') },
      segments: { type: 'array', items: ref('segment') },
      apps: { type: 'array', items: ref('app') },
      site: obj({ webhookHosts: { type: 'array', items: str() }, promotionCooldownSeconds: num({ minimum: 0 }) }),
    }),
    $defs: {
      id: str({ pattern: '^[A-Za-z0-9][A-Za-z0-9_-]{0,63}$' }),
      ui: { type: 'object' },
      duration: obj({ amount: num({ exclusiveMinimum: 0 }), unit: enumOf(['seconds', 'minutes', 'hours', 'days']) }, ['amount', 'unit']),
      condition: {
        oneOf: [
          obj({ all: { type: 'array', items: ref('condition') } }, ['all']),
          obj({ any: { type: 'array', items: ref('condition') } }, ['any']),
          obj({ not: ref('condition') }, ['not']),
          obj(
            {
              field: str({ minLength: 1 }),
              op: enumOf(OPERATORS),
              value: {},
              scope: enumOf(['session', 'first_session', 'all_time']),
              caseSensitive: bool,
              timezone: str(),
            },
            ['field', 'op'],
          ),
        ],
      },
      trigger: {
        oneOf: TRIGGER_KINDS.map((kind) => {
          const [params, required] = TRIGGER_PARAMS[kind];
          return obj({ on: { const: kind }, where: ref('condition'), ...params }, ['on', ...required]);
        }),
      },
      node: { oneOf: NODES },
      workflow: obj(
        {
          id,
          name: str({ minLength: 1 }),
          description: str(),
          status: enumOf(['draft', 'active', 'paused']),
          revision: { type: 'integer', minimum: 0 },
          version: { type: 'integer', minimum: 0 },
          start: id,
          nodes: { type: 'array', items: ref('node') },
          edges: { type: 'array', items: obj({ from: id, port: str(), to: id, ui: { type: 'object' } }, ['from', 'port', 'to']) },
          ui: ref('ui'),
          settings: obj({
            enrollment: enumOf(['auto', 'manual']),
            reenroll: {
              oneOf: [
                obj({ mode: enumOf(['page', 'session', 'never']) }, ['mode']),
                obj({ mode: { const: 'cooldown' }, days: num({ exclusiveMinimum: 0 }) }, ['mode', 'days']),
              ],
            },
            schedule: obj({
              timezone: str(),
              days: { type: 'array', minItems: 1, items: enumOf(WEEKDAYS) },
              hours: obj({ from: time, to: time }, ['from', 'to']),
              start: str(),
              end: str(),
            }),
            priority: num({ minimum: 0, maximum: 100 }),
            suppress: { oneOf: [enumOf(['none', 'all']), { type: 'array', items: id }] },
            goal: obj({ event: str({ minLength: 1 }), where: ref('condition'), windowDays: num({ exclusiveMinimum: 0, maximum: 365 }) }, ['event']),
          }),
        },
        ['id', 'name', 'status', 'start', 'nodes'],
      ),
      block: { oneOf: Object.values(BLOCKS) },
      promotion: obj(
        {
          id,
          name: str({ minLength: 1 }),
          kind: enumOf(PROMOTION_KINDS),
          revision: { type: 'integer', minimum: 0 },
          placement: obj({ position: enumOf(PROMOTION_POSITIONS), push: bool, selector: str(), insert: enumOf(['before', 'after', 'inside']) }),
          steps: { type: 'array', minItems: 1, items: obj({ id, blocks: { type: 'array', minItems: 1, items: ref('block') } }, ['id', 'blocks']) },
          theme: obj({
            background: str(),
            text: str(),
            accent: str(),
            accentText: str(),
            font: str(),
            radius: num(),
            spacing: num(),
            width: num(),
          }),
          mobile: obj({ kind: enumOf(PROMOTION_KINDS), position: enumOf(PROMOTION_POSITIONS), safe: bool, hidden: bool }),
          teaser: obj({ text: str(), position: enumOf(['left', 'right', 'bottom_left', 'bottom_right']) }, ['text']),
        },
        ['id', 'name', 'kind', 'steps'],
      ),
      segment: {
        oneOf: [
          obj({ id, name: str({ minLength: 1 }), description: str(), kind: { const: 'manual' }, revision: { type: 'integer' } }, ['id', 'name', 'kind']),
          obj(
            { id, name: str({ minLength: 1 }), description: str(), kind: { const: 'rule' }, rule: ref('condition'), revision: { type: 'integer' } },
            ['id', 'name', 'kind', 'rule'],
          ),
        ],
      },
      app: obj(
        { id, name: str({ minLength: 1 }), provider: enumOf(APP_PROVIDERS), settings: { type: 'object', additionalProperties: str() }, revision: { type: 'integer' } },
        ['id', 'name', 'provider', 'settings'],
      ),
    },
  };
}
