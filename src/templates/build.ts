/** Small helpers shared by the templates: the document shell, editor positions, edges and a default theme. */
import {
  AUTHORING_FORMAT,
  AUTHORING_VERSION,
  type AuthoringDocument,
  type Edge,
  type NodeUi,
  type PromotionTheme,
} from '../model/types.js';

export function authoring(parts: Omit<AuthoringDocument, 'format' | 'version'>): AuthoringDocument {
  return { format: AUTHORING_FORMAT, version: AUTHORING_VERSION, ...parts };
}

/** Editor position on a grid laid out top to bottom: `row` down, `column` across (0 is the main line). */
export function cell(row: number, column = 0): NodeUi {
  return { x: 400 + column * 300, y: 80 + row * 160 };
}

export function edge(from: string, port: string, to: string): Edge {
  return { from, port, to };
}

/** A calm, readable default; every template's look is meant to be restyled. */
export const THEME: PromotionTheme = {
  background: '#ffffff',
  text: '#1f2933',
  accent: '#1a56db',
  accentText: '#ffffff',
  font: 'system-ui, sans-serif',
  radius: 12,
  spacing: 16,
  width: 440,
};

export const BAR_THEME: PromotionTheme = {
  background: '#111827',
  text: '#f9fafb',
  accent: '#fbbf24',
  accentText: '#111827',
  font: 'system-ui, sans-serif',
  radius: 6,
};
