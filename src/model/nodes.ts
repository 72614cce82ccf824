/** What each node kind is called in the product, and the out ports it offers. */
import type { NodeKind, WorkflowNode } from './types.js';

export const NODE_LABELS: Record<NodeKind, string> = {
  if: 'If/Then',
  promotion: 'Promotion',
  segment: 'Segment to Update',
  enroll: 'Workflow to Enroll',
  webhook: 'Webhook',
  split: 'Multivariate Test',
  delay: 'Delay',
  connector: 'Connector',
  code: 'Code',
  app: 'App',
  exit: 'Exit',
};

/** The out ports a node has, given its settings (a split's ports are its variant ids). */
export function portsOf(node: WorkflowNode): string[] {
  switch (node.kind) {
    case 'if': {
      const ports = ['then'];
      if (!node.triggers?.length) ports.push('else');
      if (node.wait) ports.push('timeout');
      return ports;
    }
    case 'promotion':
      return ['converted', 'dismissed'];
    case 'webhook':
    case 'app':
      return ['ok', 'failed'];
    case 'code':
      return ['next', 'failed'];
    case 'split': {
      const ports = Array.isArray(node.variants) ? node.variants.map((v) => String(v?.id)) : [];
      if (node.holdout) ports.push('holdout');
      return ports;
    }
    case 'segment':
    case 'enroll':
    case 'delay':
      return ['next'];
    case 'connector':
    case 'exit':
      return [];
  }
}

/** Nodes where a cursor stops and waits: a loop through one of these cannot spin. */
export function waits(node: WorkflowNode): boolean {
  if (node.kind === 'delay') return true;
  if (node.kind === 'promotion') return true;
  return node.kind === 'if' && Boolean(node.triggers?.length);
}
