/** A template: a ready-made workflow with the promotions, segments and apps it needs. */
import type { AppProvider, AuthoringDocument, CommerceEvent } from '../model/types.js';

export const TEMPLATE_CATEGORIES = [
  'list-growth',
  'conversion',
  'cart-recovery',
  'engagement',
  'segmentation',
  'announcements',
  'testing',
  'integrations',
] as const;
export type TemplateCategory = (typeof TEMPLATE_CATEGORIES)[number];

/** What the site must provide for the template to work; shown before a template is used. */
export interface TemplateRequirements {
  /** App connections to set up (their public settings are placeholders to replace). */
  apps?: AppProvider[];
  /** Data-layer commerce events the store must push (GA4 e-commerce names). */
  commerce?: CommerceEvent[];
  /** Custom events sent with `workflows.track(name)`. */
  events?: string[];
  /** Code handlers to register with `workflows.register(name, fn)`. */
  handlers?: string[];
  /** Visitor attributes the workflow reads (set by forms or `workflows.identify`). */
  attributes?: string[];
  /** Discount codes or coupon pools to create in the store. */
  coupons?: string[];
  /** Other setup, in plain words. */
  notes?: string[];
}

export interface Template {
  /** Stable: documents and links refer to templates by id. */
  id: string;
  name: string;
  description: string;
  category: TemplateCategory;
  tags: string[];
  requires?: TemplateRequirements;
  /** The workflow(s), as drafts, with everything they reference. */
  document: AuthoringDocument;
}

export type TemplateSummary = Pick<Template, 'id' | 'name' | 'description' | 'category' | 'tags'>;
