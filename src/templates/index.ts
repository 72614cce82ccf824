/** The template library: ready-made workflows a site owner starts from ("Template Library" in the product). */
import type { AuthoringDocument } from '../model/types.js';
import { cartAbandonmentReminder } from './cart-abandonment-reminder.js';
import { couponReveal } from './coupon-reveal.js';
import { dailyDealDrop } from './daily-deal-drop.js';
import { exitIntentDiscount } from './exit-intent-discount.js';
import { firstPurchaseDiscount } from './first-purchase-discount.js';
import { freeShippingThresholdBar } from './free-shipping-threshold-bar.js';
import { highIntentSegment } from './high-intent-segment.js';
import { leadToWebhook } from './lead-to-webhook.js';
import { offerAbTestWithHoldout } from './offer-ab-test-with-holdout.js';
import { returningVisitorWelcome } from './returning-visitor-welcome.js';
import { scheduledAnnouncementBar } from './scheduled-announcement-bar.js';
import { scrollContentUpgrade } from './scroll-content-upgrade.js';
import { smsTwoStepOptin } from './sms-two-step-optin.js';
import { socialTrafficWelcome } from './social-traffic-welcome.js';
import type { Template, TemplateSummary } from './types.js';
import { welcomeNewsletter } from './welcome-newsletter.js';

export type { Template, TemplateCategory, TemplateRequirements, TemplateSummary } from './types.js';
export { TEMPLATE_CATEGORIES } from './types.js';

/** In the order the library shows them. Ids are stable: never rename one, add a new template instead. */
export const TEMPLATES: readonly Template[] = [
  exitIntentDiscount,
  welcomeNewsletter,
  scrollContentUpgrade,
  smsTwoStepOptin,
  firstPurchaseDiscount,
  cartAbandonmentReminder,
  freeShippingThresholdBar,
  returningVisitorWelcome,
  socialTrafficWelcome,
  couponReveal,
  offerAbTestWithHoldout,
  highIntentSegment,
  scheduledAnnouncementBar,
  dailyDealDrop,
  leadToWebhook,
];

export function getTemplate(id: string): Template | undefined {
  return TEMPLATES.find((t) => t.id === id);
}

export function listTemplates(): TemplateSummary[] {
  return TEMPLATES.map(({ id, name, description, category, tags }) => ({ id, name, description, category, tags: [...tags] }));
}

/** A fresh copy of the template's document, every workflow a draft; throws for an unknown id. */
export function templateDocument(id: string): AuthoringDocument {
  const template = getTemplate(id);
  if (!template) throw new Error(`there is no template "${id}"`);
  const doc = JSON.parse(JSON.stringify(template.document)) as AuthoringDocument;
  for (const wf of doc.workflows ?? []) wf.status = 'draft';
  return doc;
}
