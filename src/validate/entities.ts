/** Checks promotions, segments and app connections. */
import { checkCondition } from '../conditions/check.js';
import {
  APP_PROVIDERS,
  BLOCK_KINDS,
  PROMOTION_KINDS,
  PROMOTION_POSITIONS,
  type AppProvider,
  type BlockKind,
  type PromotionKind,
} from '../model/types.js';
import type { Catalog } from './catalog.js';
import { checkConditionRefs, conditionRefs } from './refs.js';
import { selectorProblem } from './selector.js';
import {
  at,
  bool,
  describe,
  error,
  httpUrl,
  id,
  isoDate,
  list,
  num,
  object,
  oneOf,
  onlyKeys,
  str,
  warn,
  type Obj,
  type Out,
} from './shape.js';
import { stamp } from './triggers.js';

const FIELD_NAME = { pattern: /^[A-Za-z_][\w.-]{0,63}$/, patternHint: 'is not a valid field name (ASCII letters, digits, "_", "." and "-")' };

const BLOCK_KEYS: Record<BlockKind, readonly string[]> = {
  heading: ['text', 'level'],
  text: ['text'],
  image: ['src', 'alt', 'width', 'height'],
  button: ['text', 'action', 'url', 'converts'],
  email: ['name', 'label', 'placeholder', 'required'],
  phone: ['name', 'label', 'placeholder', 'required', 'country'],
  text_field: ['name', 'label', 'placeholder', 'required'],
  checkbox: ['name', 'label', 'required'],
  select: ['name', 'label', 'options', 'required'],
  consent: ['name', 'text', 'channel', 'required'],
  coupon: ['code', 'pool'],
  countdown: ['until', 'minutes', 'expired'],
  close: ['label'],
  spacer: ['size'],
};
const FIELD_BLOCKS: readonly BlockKind[] = ['email', 'phone', 'text_field', 'checkbox', 'select', 'consent'];
const DEFAULT_FIELD_NAME: Partial<Record<BlockKind, string>> = { email: 'email', phone: 'phone', consent: 'consent' };

// Theme values become CSS custom properties: allow colours, lengths and font lists, nothing that could
// close the declaration or load a resource.
const SAFE_CSS_VALUE = /^[#\w\s,.%()'"-]{1,120}$/;

/** Where a promotion kind may sit. */
const POSITIONS: Record<PromotionKind, readonly string[]> = {
  modal: ['center'],
  fullscreen: ['center'],
  slide_in: ['top_left', 'top_right', 'bottom_left', 'bottom_right'],
  bar: ['top', 'bottom'],
  inline: [],
  teaser: ['left', 'right', 'bottom_left', 'bottom_right'],
};

export function checkPromotion(out: Out, value: unknown, where: string): void {
  const p = object(out, value, where, 'a promotion');
  if (!p) return;
  onlyKeys(out, p, where, ['id', 'name', 'kind', 'placement', 'steps', 'theme', 'mobile', 'teaser', 'revision'], 'a promotion');
  id(out, p, 'id', where, 'the promotion');
  str(out, p, 'name', where, 'the promotion', { required: true, maxLength: 200 });
  const kind = oneOf(out, p, 'kind', where, 'the promotion', PROMOTION_KINDS);
  num(out, p, 'revision', where, 'the promotion', { integer: true, min: 0 });

  const placementAt = at(where, 'placement');
  const placement = p.placement === undefined ? undefined : object(out, p.placement, placementAt, '"placement"');
  if (placement) {
    onlyKeys(out, placement, placementAt, ['position', 'push', 'selector', 'insert'], 'a placement');
    const position = oneOf(out, placement, 'position', placementAt, 'the placement', PROMOTION_POSITIONS, false);
    if (kind && position && !POSITIONS[kind].includes(position)) {
      error(out, at(placementAt, 'position'), positionMessage(kind, position));
    }
    bool(out, placement, 'push', placementAt);
    if (placement.push !== undefined && kind !== 'bar') error(out, at(placementAt, 'push'), '"push" only applies to bars');
    oneOf(out, placement, 'insert', placementAt, 'the placement', ['before', 'after', 'inside'] as const, false);
    const selector = str(out, placement, 'selector', placementAt, 'the placement');
    const problem = selector === undefined ? undefined : selectorProblem(selector);
    if (problem) error(out, at(placementAt, 'selector'), problem);
  }
  if (kind === 'inline' && typeof placement?.selector !== 'string') {
    error(out, p.placement === undefined ? at(where, 'placement') : at(placementAt, 'selector'), 'an inline promotion needs "placement.selector": the element it is placed at');
  }

  const steps = list(out, p.steps ?? [], at(where, 'steps'), '"steps"');
  if (steps && steps.length === 0) error(out, at(where, 'steps'), 'a promotion needs at least one step');
  const stepIds = new Set<string>();
  const fieldNames = new Set<string>();
  steps?.forEach((s, i) => {
    const sp = at(where, 'steps', i);
    const step = object(out, s, sp, 'a step');
    if (!step) return;
    onlyKeys(out, step, sp, ['id', 'blocks'], 'a promotion step');
    const sid = id(out, step, 'id', sp, 'the step');
    if (sid !== undefined && stepIds.has(sid)) error(out, at(sp, 'id'), `another step already has the id "${sid}"`);
    if (sid !== undefined) stepIds.add(sid);
    const blocks = list(out, step.blocks ?? [], at(sp, 'blocks'), '"blocks"');
    if (blocks && blocks.length === 0) error(out, at(sp, 'blocks'), 'a step needs at least one block');
    let hasField = false;
    let hasSubmit = false;
    blocks?.forEach((b, j) => {
      const kindOf = checkBlock(out, b, at(sp, 'blocks', j), fieldNames, i === steps.length - 1);
      if (kindOf && FIELD_BLOCKS.includes(kindOf)) hasField = true;
      if (kindOf === 'button' && (b as Obj).action === 'submit') hasSubmit = true;
    });
    if (hasField && !hasSubmit) warn(out, sp, 'this step has form fields but no submit button');
  });

  if (p.theme !== undefined) checkTheme(out, p.theme, at(where, 'theme'));
  if (p.mobile !== undefined) {
    const mp = at(where, 'mobile');
    const m = object(out, p.mobile, mp, '"mobile"');
    if (m) {
      onlyKeys(out, m, mp, ['kind', 'position', 'safe', 'hidden'], 'mobile overrides');
      const mk = oneOf(out, m, 'kind', mp, 'mobile overrides', PROMOTION_KINDS, false);
      const pos = oneOf(out, m, 'position', mp, 'mobile overrides', PROMOTION_POSITIONS, false);
      const effective = mk ?? kind;
      if (effective && pos && !POSITIONS[effective].includes(pos)) error(out, at(mp, 'position'), positionMessage(effective, pos));
      if (mk === 'inline' && kind !== 'inline') error(out, at(mp, 'kind'), 'only an inline promotion can be inline on phones (it needs a selector)');
      bool(out, m, 'safe', mp);
      bool(out, m, 'hidden', mp);
      if (kind === 'fullscreen' && !m.safe && !m.hidden && mk === undefined) {
        warn(out, mp, 'a full-screen promotion on phones can count as an intrusive interstitial for Google; set "safe": true or a smaller mobile kind');
      }
    }
  } else if (kind === 'fullscreen') {
    warn(out, where, 'a full-screen promotion on phones can count as an intrusive interstitial for Google; add "mobile": { "safe": true }');
  }
  if (p.teaser !== undefined) {
    const tp = at(where, 'teaser');
    const t = object(out, p.teaser, tp, '"teaser"');
    if (t) {
      onlyKeys(out, t, tp, ['text', 'position'], 'a teaser');
      str(out, t, 'text', tp, 'the teaser', { required: true, maxLength: 60 });
      oneOf(out, t, 'position', tp, 'the teaser', ['left', 'right', 'bottom_left', 'bottom_right'] as const, false);
    }
  }
}

function positionMessage(kind: PromotionKind, position: string): string {
  const allowed = POSITIONS[kind];
  return allowed.length
    ? `a ${kind.replace('_', '-')} cannot sit at "${position}"; use ${allowed.join(', ')}`
    : `an ${kind} promotion is placed by "selector", not "position"`;
}

function checkBlock(out: Out, value: unknown, where: string, names: Set<string>, lastStep: boolean): BlockKind | undefined {
  const b = object(out, value, where, 'a block');
  if (!b) return undefined;
  const kind = oneOf(out, b, 'kind', where, 'the block', BLOCK_KINDS);
  if (!kind) return undefined;
  const what = `the ${kind} block`;
  onlyKeys(out, b, where, ['kind', ...BLOCK_KEYS[kind]], what);
  const text = (key: string, required: boolean, maxLength = 2000) => str(out, b, key, where, what, { required, maxLength });
  switch (kind) {
    case 'heading':
      text('text', true, 300);
      if (b.level !== undefined && b.level !== 1 && b.level !== 2 && b.level !== 3) error(out, at(where, 'level'), '"level" must be 1, 2 or 3');
      break;
    case 'text':
      text('text', true, 5000);
      break;
    case 'image': {
      const src = text('src', true);
      if (src !== undefined && !safeImage(src)) error(out, at(where, 'src'), 'an image "src" must be an https:// address, a path on this site, or a data:image URL');
      text('alt', true, 300);
      num(out, b, 'width', where, what, { positive: true, max: 4000 });
      num(out, b, 'height', where, what, { positive: true, max: 4000 });
      break;
    }
    case 'button': {
      text('text', true, 100);
      const action = oneOf(out, b, 'action', where, what, ['close', 'next', 'url', 'submit', 'copy_coupon'] as const);
      const url = text('url', action === 'url');
      if (url !== undefined && !safeLink(url)) error(out, at(where, 'url'), 'a button link must be an http(s) address or a path on this site');
      if (url !== undefined && action !== 'url') error(out, at(where, 'url'), '"url" only applies to buttons whose action is "url"');
      if (action === 'next' && lastStep) warn(out, at(where, 'action'), 'a "next" button on the last step has nowhere to go');
      bool(out, b, 'converts', where);
      break;
    }
    case 'email':
    case 'phone':
    case 'text_field':
    case 'checkbox':
    case 'select':
    case 'consent': {
      const name = str(out, b, 'name', where, what, { required: kind === 'text_field' || kind === 'checkbox' || kind === 'select', ...FIELD_NAME }) ?? DEFAULT_FIELD_NAME[kind];
      if (name !== undefined) {
        if (names.has(name)) error(out, at(where, 'name'), `another field of this promotion is already named "${name}"`);
        names.add(name);
      }
      text('label', kind === 'checkbox', 300);
      if (kind !== 'checkbox' && kind !== 'consent' && kind !== 'select') text('placeholder', false, 200);
      bool(out, b, 'required', where);
      if (kind === 'phone') {
        str(out, b, 'country', where, what, { pattern: /^[A-Z]{2}$/, patternHint: 'must be a two-letter country code such as "US"' });
      }
      if (kind === 'consent') {
        text('text', true, 3000);
        oneOf(out, b, 'channel', where, what, ['email', 'sms'] as const, false);
      }
      if (kind === 'select') {
        const options = list(out, b.options ?? [], at(where, 'options'), '"options"');
        if (options && options.length === 0) error(out, at(where, 'options'), 'a select needs at least one option');
        options?.forEach((o, k) => {
          const op = at(where, 'options', k);
          const opt = object(out, o, op, 'an option');
          if (!opt) return;
          onlyKeys(out, opt, op, ['value', 'label'], 'an option');
          str(out, opt, 'value', op, 'the option', { required: true, maxLength: 200 });
          str(out, opt, 'label', op, 'the option', { required: true, maxLength: 200 });
        });
      }
      break;
    }
    case 'coupon': {
      const code = str(out, b, 'code', where, what, { maxLength: 100 });
      const pool = str(out, b, 'pool', where, what, { maxLength: 100 });
      if ((code === undefined) === (pool === undefined)) {
        error(out, where, 'a coupon block needs either a static "code" or a coupon "pool" to claim codes from, not both');
      }
      break;
    }
    case 'countdown': {
      const until = str(out, b, 'until', where, what);
      if (until !== undefined && !isoDate(until)) error(out, at(where, 'until'), '"until" must be an ISO date-time such as "2026-12-24T23:59:00Z"');
      const minutes = num(out, b, 'minutes', where, what, { positive: true, max: 525600 });
      if ((until === undefined) === (minutes === undefined) && b.until === undefined && b.minutes === undefined) {
        error(out, where, 'a countdown needs "until" (a date) or "minutes" (an evergreen timer per visitor)');
      } else if (b.until !== undefined && b.minutes !== undefined) {
        error(out, where, 'give a countdown either "until" or "minutes", not both');
      }
      oneOf(out, b, 'expired', where, what, ['hide', 'close'] as const, false);
      break;
    }
    case 'close':
      text('label', false, 100);
      break;
    case 'spacer':
      num(out, b, 'size', where, what, { min: 0, max: 200 });
      break;
  }
  return kind;
}

export function safeLink(url: string): boolean {
  if (/^\/(?!\/)|^[?#]/.test(url)) return true;
  return Boolean(httpUrl(url));
}

function safeImage(src: string): boolean {
  if (/^data:image\/(png|gif|jpeg|webp|avif);base64,[A-Za-z0-9+/=]+$/.test(src)) return true;
  if (/^\/(?!\/)/.test(src)) return true;
  return httpUrl(src)?.protocol === 'https:' || /^http:\/\/(localhost|127\.0\.0\.1)(:|\/)/.test(src);
}

function checkTheme(out: Out, value: unknown, where: string): void {
  const t = object(out, value, where, '"theme"');
  if (!t) return;
  const colours = ['background', 'text', 'accent', 'accentText'];
  onlyKeys(out, t, where, [...colours, 'font', 'radius', 'spacing', 'width'], 'a theme');
  for (const key of [...colours, 'font']) {
    const v = str(out, t, key, where, 'the theme');
    if (v !== undefined && (!SAFE_CSS_VALUE.test(v) || /url\s*\(|expression\s*\(|\/\*/i.test(v))) {
      error(out, at(where, key), `theme "${key}" must be a plain CSS colour or font list, such as "#1a73e8" or "Georgia, serif"`);
    }
  }
  num(out, t, 'radius', where, 'the theme', { min: 0, max: 100 });
  num(out, t, 'spacing', where, 'the theme', { min: 0, max: 100 });
  num(out, t, 'width', where, 'the theme', { min: 200, max: 1600 });
}

export function checkSegment(out: Out, value: unknown, where: string, catalog: Catalog): void {
  const s = object(out, value, where, 'a segment');
  if (!s) return;
  onlyKeys(out, s, where, ['id', 'name', 'description', 'kind', 'rule', 'revision'], 'a segment');
  const sid = id(out, s, 'id', where, 'the segment');
  str(out, s, 'name', where, 'the segment', { required: true, maxLength: 200 });
  str(out, s, 'description', where, 'the segment', { maxLength: 2000 });
  num(out, s, 'revision', where, 'the segment', { integer: true, min: 0 });
  const kind = oneOf(out, s, 'kind', where, 'the segment', ['manual', 'rule'] as const);
  if (kind === 'rule') {
    if (s.rule === undefined) error(out, at(where, 'rule'), 'a rule-based segment needs a "rule"');
    else {
      out.problems.push(...stamp(out, checkCondition(s.rule, at(where, 'rule'))));
      checkConditionRefs(out, s.rule, at(where, 'rule'), catalog);
      const refs = { segments: new Set<string>(), promotions: new Set<string>() };
      conditionRefs(s.rule, refs);
      if (sid !== undefined && refs.segments.has(sid)) {
        error(out, at(where, 'rule'), 'a segment rule cannot depend on membership of the same segment');
      }
    }
  } else if (kind === 'manual' && s.rule !== undefined) {
    error(out, at(where, 'rule'), 'a manual segment has no rule; set "kind": "rule" to use one');
  }
}

const SECRET_KEY = /(secret|password|passwd|private|token|api[_-]?key|apikey|auth)/i;
const REQUIRED_SETTINGS: Record<AppProvider, { key: string; hint: string; check?: (v: string) => boolean }[]> = {
  klaviyo: [{ key: 'companyId', hint: 'your public Klaviyo site id (6 characters, not a private key)', check: (v) => /^[A-Za-z0-9]{4,12}$/.test(v) }],
  hubspot: [
    { key: 'portalId', hint: 'your HubSpot account (portal) id, digits only', check: (v) => /^\d{1,12}$/.test(v) },
    { key: 'formId', hint: 'the HubSpot form GUID', check: (v) => /^[0-9a-fA-F-]{8,64}$/.test(v) },
  ],
  mailchimp: [
    {
      key: 'formAction',
      hint: 'the "action" URL of your Mailchimp embedded form (https://….list-manage.com/subscribe/post?u=…&id=…)',
      check: (v) => httpUrl(v)?.protocol === 'https:',
    },
  ],
  webhook: [{ key: 'url', hint: 'the http(s) address leads are sent to', check: (v) => Boolean(httpUrl(v)) }],
};

export function checkApp(out: Out, value: unknown, where: string): void {
  const a = object(out, value, where, 'an app connection');
  if (!a) return;
  onlyKeys(out, a, where, ['id', 'name', 'provider', 'settings', 'revision'], 'an app connection');
  id(out, a, 'id', where, 'the app connection');
  str(out, a, 'name', where, 'the app connection', { required: true, maxLength: 200 });
  num(out, a, 'revision', where, 'the app connection', { integer: true, min: 0 });
  const provider = oneOf(out, a, 'provider', where, 'the app connection', APP_PROVIDERS);
  const sp = at(where, 'settings');
  const settings = object(out, a.settings ?? {}, sp, '"settings"');
  if (!settings) return;
  for (const [k, v] of Object.entries(settings)) {
    if (SECRET_KEY.test(k)) error(out, at(sp, k), `"${k}" looks like a secret; app connections hold public settings only, keep secrets on your server`);
    else if (typeof v !== 'string') error(out, at(sp, k), `setting "${k}" must be text, not ${describe(v)}`);
  }
  // Optional for every provider: replaces the provider's origin (a first-party proxy, or a test server).
  if (typeof settings.endpoint === 'string' && !httpUrl(settings.endpoint)) {
    error(out, at(sp, 'endpoint'), '"endpoint" should be an http(s) URL that replaces the provider\'s address (a proxy on your site)');
  }
  if (!provider) return;
  for (const req of REQUIRED_SETTINGS[provider]) {
    const v = settings[req.key];
    if (v === undefined) error(out, at(sp, req.key), `a ${provider} connection needs "${req.key}": ${req.hint}`);
    else if (typeof v === 'string' && req.check && !req.check(v)) error(out, at(sp, req.key), `"${req.key}" should be ${req.hint}`);
  }
}
